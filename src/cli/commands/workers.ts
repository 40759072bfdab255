import { formatWorkers } from '../../present/workers.js';
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
    return { exitCode: 0, json: workers, text: formatWorkers(workers, io.style) };
  },
});
