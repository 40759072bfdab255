import { requireIds } from '../args.js';
import type { Command } from '../command.js';

export const exportCommand: Command = {
  name: 'export',
  summary: 'the whole agent session as JSON (every message, tool input and output)',
  help: `Usage: baton export ID [--json]

Asks the runner to export the session (opencode export ses_…). Prints the session JSON; with --json
it is wrapped as {"id","sessionId","session"}.`,
  options: {},
  allowPositionals: true,
  async run(args, io, baton) {
    const [id] = requireIds(args, 'export', 1);
    const result = await baton().exportSession(id!);
    return { exitCode: 0, json: { id: result.id, sessionId: result.sessionId, session: result.json }, text: JSON.stringify(result.json, null, 2) };
  },
};
