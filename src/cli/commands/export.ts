import { requireIds } from '../args.js';
import { defineCommand } from '../define.js';

export const exportCommand = defineCommand({
  name: 'export',
  summary: 'the whole agent session as JSON',
  positionals: [{ name: 'ID' }],
  about: 'Asks the runner to export the session (opencode export ses_…) and prints the session JSON.',
  options: [],
  json: 'wrap it as {"id","sessionId","session"}',
}, {
  async run(args, io, baton) {
    const [id] = requireIds(args, 'export', 1);
    const result = await baton().exportSession(id!);
    return { exitCode: 0, json: { id: result.id, sessionId: result.sessionId, session: result.json }, text: JSON.stringify(result.json, null, 2) };
  },
});
