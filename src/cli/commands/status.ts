import type { Command } from '../command.js';
import { formatBrief } from '../format.js';

export const statusCommand: Command = {
  name: 'status',
  summary: 'a brief of each run: state and reasons, session, growth, tools, files, recent events',
  help: `Usage: baton status [ID…] [--json]

Without ids: the active runs plus the most recently finished one. Ids may be abbreviated, or a
--name label. Reading a status never re-reads the log: it costs the same for a 1 KB and a 1 GB log.

--json prints one object for one id, otherwise an array, with the fields documented in README
(id, name, runner, agent, model, dir, state, reasons, sessionId, exitCode, startedAt, endedAt,
outputLines, outputBytes, lastActivityAt, filesChanged, finalMessage, followUp, …).`,
  options: {},
  allowPositionals: true,
  async run(args, io, baton) {
    const statuses = baton().status(args.positionals);
    return {
      exitCode: 0,
      json: args.positionals.length === 1 ? statuses[0] : statuses,
      text: statuses.length === 0 ? io.style.dim('no runs yet; start one with baton run (or try baton demo)') : statuses.map((s) => formatBrief(s, io.style)).join('\n\n'),
    };
  },
};
