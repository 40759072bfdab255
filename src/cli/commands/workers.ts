import { escapeControls } from '../../text.js';
import { stringOption } from '../args.js';
import { defineCommand } from '../define.js';

export const workersCommand = defineCommand({
  name: 'workers',
  summary: 'the cluster\'s workers: slots used/free, runners, last heartbeat, alive or lost',
  positionals: [],
  options: [{ name: 'redis', value: 'URL', description: 'the cluster queue', whenAbsent: 'BATON_REDIS_URL, else cluster.redis in config.json' }],
  json: 'print an array of {"name","host","pid","health","slots","slotsUsed","slotsFree","running","runners","lastHeartbeat",…}',
}, {
  async run(args, io, baton) {
    const redis = stringOption(args, 'redis');
    const workers = await baton().workers(redis !== undefined ? { redis } : {});
    const s = io.style;
    const text =
      workers.length === 0
        ? s.dim('no workers have registered yet; start one with baton worker --redis URL')
        : workers
            .map((w) => {
              const health = w.health === 'alive' ? s.state('running').replace('running', 'alive') : w.health === 'lost' ? s.red('lost') : s.dim('stopped');
              const runners = w.runners.map((r) => (r.version ? `${r.name} ${r.version}` : r.name)).join(', ');
              return `${s.bold(escapeControls(w.name))} ${health} · ${escapeControls(w.host)} pid ${w.pid} · slots ${w.slotsUsed}/${w.slots} used · runners ${escapeControls(runners)} · last heartbeat ${w.lastHeartbeat}${w.running.length ? ` · running ${w.running.join(', ')}` : ''}`;
            })
            .join('\n');
    return { exitCode: 0, json: workers, text };
  },
});
