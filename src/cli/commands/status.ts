import { defineCommand } from '../define.js';
import { checkRefs, flag } from '../args.js';
import { formatBrief, formatFullBrief } from '../../present/brief.js';

export const statusCommand = defineCommand({
  name: 'status',
  summary: 'brief of runs: state, reasons, session, files, last error, final message',
  positionals: [{ name: 'ID', optional: true, repeatable: true }],
  about: `Without ids: the active runs plus the most recently finished one. An id may be abbreviated, or be
the label the run was launched with. Reading a status never re-reads the log: it costs the same for a 1 KB and a 1 GB log.

The brief is a few hundred characters on purpose (a lead session pays for every look): state,
reasons, session id, files changed, the last error, the final message and the next move.`,
  options: [{ name: 'full', description: 'also dir, model, tool counts, recent events and the whole follow-up resume would send' }],
  json: `print one object for one id, otherwise an array, with the fields documented in README
(id, name, runner, agent, model, dir, state, reasons, sessionId, exitCode, startedAt, endedAt,
outputLines, outputBytes, lastActivityAt, filesChanged, finalMessage, followUp, …)`,
  more: `Examples:
  baton status                 active runs and the latest finished one
  baton status fix-auth --full one run, everything the brief leaves out`,
}, {
  async run(args, io, baton) {
    await baton().refreshCluster();
    const statuses = baton().status(checkRefs(args.positionals));
    return {
      exitCode: 0,
      json: args.positionals.length === 1 ? statuses[0] : statuses,
      text: statuses.length === 0 ? io.style.dim('no runs yet; start one with baton run (or try baton demo)') : statuses.map((s) => (flag(args, 'full') ? formatFullBrief : formatBrief)(s, io.style)).join('\n\n'),
    };
  },
});
