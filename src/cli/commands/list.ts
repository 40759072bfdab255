import { usageError } from '../../errors.js';
import { RUN_STATES, type RunState } from '../../store/runs.js';
import { integerOption, stringOption } from '../args.js';
import { defineCommand } from '../define.js';
import { formatTable } from '../format.js';

export const listCommand = defineCommand({
  name: 'list',
  summary: 'runs, newest first, filtered by state or dir',
  positionals: [],
  options: [
    { name: 'state', value: 'STATE[,STATE]', description: `only runs in these states: ${RUN_STATES.join(', ')}` },
    { name: 'dir', value: 'DIR', description: 'only runs in this project directory' },
    { name: 'limit', value: 'N', description: 'at most N runs', default: '50' },
  ],
  json: 'print an array of status objects (as baton status --json)',
}, {
  async run(args, io, baton) {
    const stateText = stringOption(args, 'state');
    const states = stateText?.split(',').map((s) => s.trim()).filter(Boolean);
    for (const state of states ?? []) {
      if (!RUN_STATES.includes(state as RunState)) throw usageError(`unknown state "${state}"; states: ${RUN_STATES.join(', ')}`);
    }
    const dir = stringOption(args, 'dir');
    await baton().refreshCluster();
    const runs = baton().list({
      ...(states && { states: states as RunState[] }),
      ...(dir !== undefined && { dir }),
      limit: integerOption(args, 'limit'),
    });
    return { exitCode: 0, json: runs, text: formatTable(runs, io.style) };
  },
});
