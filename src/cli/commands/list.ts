import { usageError } from '../../errors.js';
import { RUN_STATES, type RunState } from '../../store/runs.js';
import { integerOption, stringOption } from '../args.js';
import type { Command } from '../command.js';
import { formatTable } from '../format.js';

export const listCommand: Command = {
  name: 'list',
  summary: 'runs, newest first',
  help: `Usage: baton list [--state STATE[,STATE]] [--dir DIR] [--limit N] [--json]

  --state   only runs in these states: ${RUN_STATES.join(', ')}
  --dir     only runs in this project directory
  --limit   at most N runs (default 50)
  --json    an array of status objects (as baton status --json)`,
  options: { state: { type: 'string' }, dir: { type: 'string' }, limit: { type: 'string' } },
  allowPositionals: false,
  async run(args, io, baton) {
    const stateText = stringOption(args, 'state');
    const states = stateText?.split(',').map((s) => s.trim()).filter(Boolean);
    for (const state of states ?? []) {
      if (!RUN_STATES.includes(state as RunState)) throw usageError(`unknown state "${state}"; states: ${RUN_STATES.join(', ')}`);
    }
    const dir = stringOption(args, 'dir');
    const runs = baton().list({
      ...(states && { states: states as RunState[] }),
      ...(dir !== undefined && { dir }),
      limit: integerOption(args, 'limit', 50),
    });
    return { exitCode: 0, json: runs, text: formatTable(runs, io.style) };
  },
};
