import { readFile } from 'node:fs/promises';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { Baton } from '../../baton.js';
import { usageError } from '../../errors.js';
import { loadRoutingTable, routeTask } from '../../plans/route.js';
import { countFindings, lintPrompt } from '../../prompts/index.js';
import { guarded, toolResult } from '../result.js';

export function registerPromptTools(server: McpServer, baton: Baton): void {
  server.registerTool(
    'prompt_lint',
    {
      title: 'Lint a phase prompt',
      description:
        'Checks a phase prompt before you launch it: numbered steps, a Files section listing every file, verification as the last step, no placeholders. Give text or file; fix errors before run.',
      inputSchema: {
        text: z.string().min(1).optional().describe('the prompt itself'),
        file: z.string().min(1).optional().describe('or a file holding it'),
      },
      outputSchema: {
        findings: z.array(z.object({ rule: z.string(), severity: z.enum(['error', 'warning']), line: z.number(), message: z.string() })),
        errors: z.number(),
        warnings: z.number(),
      },
      annotations: { readOnlyHint: true },
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

  server.registerTool(
    'route',
    {
      title: 'Suggest an agent for a task',
      description: 'Suggests the agent (and model) for a task, with the words that decided; pass the result as agent/model to run.',
      inputSchema: { task: z.string().min(1).describe('the task or phase prompt') },
      outputSchema: { agent: z.string(), model: z.string().optional(), reason: z.string(), scores: z.record(z.string(), z.number()), matched: z.array(z.string()) },
      annotations: { readOnlyHint: true },
    },
    (input) =>
      guarded('route', () => {
        const decision = routeTask(input.task, loadRoutingTable(baton.home));
        return toolResult(`${decision.agent}${decision.model ? ` (model ${decision.model})` : ''}: ${decision.reason}`, { ...decision });
      }),
  );
}
