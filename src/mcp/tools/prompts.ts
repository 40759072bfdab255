import { readFile } from 'node:fs/promises';
import type { ToolTable } from '../tool-table.js';
import type { Baton } from '../../baton.js';
import { usageError } from '../../errors.js';
import { loadRoutingTable, routeTask } from '../../plans/route.js';
import { countFindings, lintPrompt } from '../../prompts/index.js';
import { path, strictInput, text } from '../input.js';
import { guarded, toolResult } from '../result.js';

export function registerPromptTools(tools: ToolTable, baton: Baton): void {
  tools.register(
    'prompt_lint',
    {
      description: 'Check a phase prompt (text or file) before run: steps, Files section, verification last.',
      inputSchema: strictInput({ text: text().optional(), file: path().optional() }),
    },
    (input) =>
      guarded('prompt_lint', async () => {
        if ((input.text === undefined) === (input.file === undefined)) throw usageError('give exactly one of text or file');
        let text = input.text ?? '';
        if (input.file !== undefined) {
          try {
            text = await readFile(input.file, 'utf8');
          } catch (error) {
            throw usageError(`file: cannot read ${input.file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
          }
        }
        const findings = lintPrompt(text);
        const { errors, warnings } = countFindings(findings);
        const lines = findings.map((f) => `${f.line}: ${f.severity} ${f.rule}: ${f.message}`);
        lines.push(errors + warnings === 0 ? 'no findings' : `${errors} error(s), ${warnings} warning(s)`);
        return toolResult(lines.join('\n'), { findings, errors, warnings });
      }),
  );

  tools.register(
    'route',
    {
      description: 'Suggest the agent (and model) for a task, with the words that decided.',
      inputSchema: strictInput({ task: text() }),
    },
    (input) =>
      guarded('route', () => {
        const decision = routeTask(input.task, loadRoutingTable(baton.home));
        const unsure = decision.unsure !== undefined ? `\nunsure: ${decision.unsure}` : '';
        return toolResult(`${decision.agent}${decision.model ? ` (model ${decision.model})` : ''}: ${decision.reason}${unsure}`, { ...decision });
      }),
  );
}
