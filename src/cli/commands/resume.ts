import { readFileSync } from 'node:fs';
import { usageError } from '../../errors.js';
import { requireIds, stringOption } from '../args.js';
import { defineCommand } from '../define.js';

export const resumeCommand = defineCommand({
  name: 'resume',
  summary: 'continue a run\'s agent session (follow-up written for you)',
  positionals: [{ name: 'ID' }, { name: 'PROMPT', optional: true }],
  about: `Starts a new run in the same agent session (it keeps its context). Without a prompt Baton writes
the targeted follow-up from the run's reasons, e.g.
  "Continue. You created src/a.rs but still need: (1) create tests/a.rs (2) run \`cargo test\` and fix any errors until it passes"
See it beforehand in baton status ID (the "next" line).`,
  options: [{ name: 'prompt-file', value: 'FILE', description: 'read the follow-up from FILE instead' }],
  json: 'print the new run: {"id","state","pid","log","parentId","sessionId","prompt"}',
}, {
  async run(args, io, baton) {
    const [id, ...rest] = requireIds(args, 'resume', 2, 1);
    const promptFile = stringOption(args, 'prompt-file');
    if (promptFile !== undefined && rest.length > 0) throw usageError('give the prompt either as an argument or with --prompt-file, not both');
    let prompt = rest[0];
    if (promptFile !== undefined) {
      try {
        prompt = readFileSync(promptFile, 'utf8');
      } catch (error) {
        throw usageError(`cannot read --prompt-file ${promptFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
    }
    const result = await baton().resume(id!, prompt);
    const s = io.style;
    return {
      exitCode: 0,
      json: result,
      text: [
        `${s.bold(result.id)} ${s.state(result.state)} · resumes ${result.parentId} · session ${result.sessionId}`,
        `${s.dim('prompt:')} ${result.prompt}`,
        s.dim(`next: baton wait ${result.id}`),
      ].join('\n'),
    };
  },
});
