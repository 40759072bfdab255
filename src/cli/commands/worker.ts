import { usageError } from '../../errors.js';
import { integerOption, stringOption } from '../args.js';
import { untilStopped } from '../command.js';
import { defineCommand } from '../define.js';

export const workerCommand = defineCommand({
  name: 'worker',
  summary: 'take runs from the cluster queue (Redis) and run them on this machine, until Ctrl-C or SIGTERM',
  positionals: [],
  about: `Registers this machine as a worker of the cluster whose queue lives in Redis, heartbeats every
2 s, and takes runs (for the runners it has, up to its slots) that leads dispatched with baton run. Each
run gets a worktree of the run's git remote at its base commit, runs through this home's own run queue
(maxConcurrent, minFreeMemoryMb), and its changes are pushed back to refs/baton/runs/ID/result.

Ctrl-C or SIGTERM: it takes no more runs, lets the ones in hand finish, then leaves. A worker that
stops heartbeating (killed, machine gone) is lost after 10 s: its runs are failed on the lead.`,
  options: [
    { name: 'redis', value: 'URL', description: 'the cluster queue: redis://[:password@]host:port or rediss:// (TLS)', whenAbsent: 'BATON_REDIS_URL, else cluster.redis in config.json' },
    { name: 'slots', value: 'N', description: 'runs at once on this worker', default: '1' },
    { name: 'name', value: 'NAME', description: 'the worker\'s name, as status and baton workers show it', whenAbsent: 'HOST-PID' },
    { name: 'runners', value: 'LIST', description: 'runners it takes, e.g. omo,claude; cmd only when named (a cmd job carries its own command)', whenAbsent: 'every agent CLI installed here' },
  ],
  json: 'print {"name","host","ran"} when it has stopped; progress goes to stderr',
  more: `Examples:
  baton worker --redis redis://:secret@queue.internal:6379 --slots 2 --name box2
  BATON_REDIS_URL=rediss://:secret@queue.internal:6380 baton worker --runners omo,claude`,
}, {
  async run(args, io) {
    const { resolveRedisTarget } = await import('../../cluster/connection.js');
    const { runWorker } = await import('../../cluster/worker.js');
    const { batonHome } = await import('../../store/index.js');
    const home = batonHome(io.env);
    const target = resolveRedisTarget(home, io.env, stringOption(args, 'redis'));
    if (!target) throw usageError('a worker needs the cluster queue: give --redis URL or set BATON_REDIS_URL');
    const slots = integerOption(args, 'slots');
    if (slots < 1 || slots > 1000) throw usageError(`--slots must be 1–1000, got ${slots}`);
    const runners = stringOption(args, 'runners')?.split(',').map((name) => name.trim()).filter(Boolean);
    const stop = new AbortController();
    void untilStopped(io.signal).then(() => stop.abort());
    const name = stringOption(args, 'name');
    const summary = await runWorker({
      redisUrl: target.url,
      home,
      env: io.env,
      slots,
      ...(name !== undefined && { name }),
      ...(runners !== undefined && { runners }),
      signal: stop.signal,
      log: (line) => io.stderr.write(`${io.errStyle.dim(new Date().toISOString().slice(11, 19))} ${line}\n`),
    });
    return { exitCode: 0, json: summary, text: `worker ${summary.name} stopped after ${summary.ran} run(s)` };
  },
});
