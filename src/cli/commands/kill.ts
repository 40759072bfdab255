import { requireIds, stringOption } from '../args.js';
import type { Command } from '../command.js';
import { parseDurationOption } from './run.js';

export const killCommand: Command = {
  name: 'kill',
  summary: 'stop a run: SIGTERM to its whole process group, a grace period, then SIGKILL',
  help: `Usage: baton kill ID [--grace 5s] [--json]

Signals every process of the run (oh-my-opencode's opencode server child included) and waits until
none is left. The run ends as killed.`,
  options: { grace: { type: 'string' } },
  allowPositionals: true,
  async run(args, io, baton) {
    const [id] = requireIds(args, 'kill', 1);
    const grace = stringOption(args, 'grace');
    const result = await baton().kill(id!, grace !== undefined ? parseDurationOption('--grace', grace) : undefined);
    const text = result.alreadyEnded
      ? `${result.id} had already ended (${io.style.state(result.state)})`
      : `${result.id} ${io.style.state(result.state)} · ${result.signalled} process(es) signalled${result.forced ? ', SIGKILL needed' : ''}${result.survivors.length ? io.style.red(` · still alive: ${result.survivors.join(', ')}`) : ''}`;
    return { exitCode: result.survivors.length > 0 ? 1 : 0, json: result, text };
  },
};
