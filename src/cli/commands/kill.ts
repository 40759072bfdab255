import { requireIds, stringOption } from '../args.js';
import { defineCommand } from '../define.js';
import { parseDurationOption } from './run.js';

export const killCommand = defineCommand({
  name: 'kill',
  summary: 'stop a run and every process it started',
  positionals: [{ name: 'ID' }],
  about: `Signals every process of the run (oh-my-opencode's opencode server child included) and waits until
none is left. The run ends as killed.`,
  options: [{ name: 'grace', value: 'DUR', description: 'time between SIGTERM and SIGKILL', whenAbsent: '5s' }],
  json: 'print {"id","state","signalled","forced","survivors","alreadyEnded"}',
}, {
  async run(args, io, baton) {
    const [id] = requireIds(args, 'kill', 1);
    const grace = stringOption(args, 'grace');
    const result = await baton().kill(id!, grace !== undefined ? parseDurationOption('--grace', grace) : undefined);
    const text = result.alreadyEnded
      ? `${result.id} had already ended (${io.style.state(result.state)})`
      : `${result.id} ${io.style.state(result.state)} · ${result.signalled} process(es) signalled${result.forced ? ', SIGKILL needed' : ''}${result.survivors.length ? io.style.red(` · still alive: ${result.survivors.join(', ')}`) : ''}`;
    return { exitCode: result.survivors.length > 0 ? 1 : 0, json: result, text };
  },
});
