import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { placeCode, pushBase } from '../cluster/code.js';
import { connectRedis, unreachableError, type RedisTarget } from '../cluster/connection.js';
import { KEEP_ENDED_JOB, runJobOf } from '../cluster/job.js';
import { CLUSTER_KEYS } from '../cluster/keys.js';
import { nudgeWorkers } from '../cluster/nudge.js';
import { cancelUnclaimed, foldClusterRuns, readPublished } from '../cluster/run-state.js';
import { failStrandedResumes } from '../cluster/resume.js';
import { judgeWorkers } from '../cluster/lost-judgement.js';
import type { Store } from '../store/index.js';
import { ACTIVE_STATES, ENDED_STATES, type RunPlacement, type RunRecord, type RunState } from '../store/runs.js';
import type { Executor, StartResult, StopResult } from './types.js';

/** Where in its repository a run's dir is ('' at the top): the worker runs the agent in the same place of its checkout. */
/** How often a waiting lead checks for lost workers between pushed updates (a lapsed heartbeat pushes nothing). */
const LOST_CHECK_MS = 1_000;
/** How long `kill` waits beyond the grace for the worker to report the end. */
const KILL_ANSWER_MS = 10_000;

/**
 * Runs agents on worker machines through a BullMQ queue over Redis (src/cluster). The record stays
 * on this machine in `queued` until a worker claims the run; what the worker publishes is folded into
 * it whenever Baton reads (refresh, watch), so the lead needs no daemon of its own.
 */
export class ClusterExecutor implements Executor {
  readonly name = 'cluster';
  readonly initialState: RunState = 'queued';
  private connection: Promise<Redis> | undefined;
  private readonly queues = new Map<string, Queue>();

  constructor(
    readonly target: RedisTarget,
    private readonly env: NodeJS.ProcessEnv,
    private readonly store: () => Store,
  ) {}

  /** Connects once; fails fast, naming the URL without its password, when Redis cannot be reached. */
  redis(): Promise<Redis> {
    this.connection ??= connectRedis(this.target.url, this.env).catch((error: unknown) => {
      this.connection = undefined;
      throw error;
    });
    return this.connection;
  }

  /** Before the run is recorded: Redis is reachable, and the code has a remote and a base commit. */
  async place(dir: string, remote?: string, base?: string): Promise<RunPlacement> {
    await this.redis();
    const code = await placeCode(dir, remote, base);
    return { ...code, worker: null, workerHost: null };
  }

  async start(run: RunRecord): Promise<StartResult> {
    const redis = await this.redis();
    await pushBase(run.dir, run.placement!.remote, run.placement!.base, run.id);
    await redis.hset(CLUSTER_KEYS.run(run.id), { state: 'queued' });
    // The job id is the run id: adding it twice is a no-op in BullMQ.
    await this.queue(run.runner, redis).add('run', await runJobOf(run), { jobId: run.id, ...KEEP_ENDED_JOB });
    await nudgeWorkers(redis, run.runner);
    return { pid: null };
  }

  private queue(runner: string, redis: Redis): Queue {
    let queue = this.queues.get(runner);
    if (!queue) {
      queue = new Queue(CLUSTER_KEYS.queue(runner), { connection: redis });
      queue.on('error', () => undefined);
      this.queues.set(runner, queue);
    }
    return queue;
  }

  /** Lead's side of `kill` for a run still queued here: true when no worker can start it any more. */
  async cancel(run: RunRecord): Promise<boolean> {
    const redis = await this.redis();
    if (await cancelUnclaimed(redis, run.id)) {
      await redis.hset(CLUSTER_KEYS.run(run.id), { state: 'killed' });
      return true;
    }
    await redis.publish(CLUSTER_KEYS.kills, run.id);
    return false;
  }

  /** Asks the run's worker to kill the agent's process group, and waits (bounded) for it to report the end. */
  async stop(run: RunRecord, graceMs: number): Promise<StopResult> {
    const redis = await this.redis();
    const subscriber = redis.duplicate();
    subscriber.on('error', () => undefined);
    try {
      await subscriber.subscribe(CLUSTER_KEYS.runEvents);
      const ended = new Promise<void>((resolve) => {
        subscriber.on('message', (_channel: string, id: string) => {
          if (id === run.id) void readPublished(redis, id).then((now) => now && ENDED_STATES.includes(now.state) && resolve());
        });
      });
      await redis.publish(CLUSTER_KEYS.kills, run.id);
      let timer: NodeJS.Timeout | undefined;
      const already = readPublished(redis, run.id).then((now) => (now && ENDED_STATES.includes(now.state) ? undefined : new Promise<void>(() => undefined)));
      const reported = await Promise.race([
        ended.then(() => true),
        already.then(() => true),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), graceMs + KILL_ANSWER_MS);
        }),
      ]);
      clearTimeout(timer);
      await this.refresh([run.id]);
      return { signalled: reported ? 1 : 0, forced: false, survivors: [] };
    } finally {
      subscriber.disconnect();
    }
  }

  /** What the worker publishes decides; losing one is settled by `refresh`, never judged from this machine's processes. */
  isSupervised(): boolean {
    return true;
  }

  isAgentAlive(): boolean {
    return false;
  }

  /** Folds what workers published into the store, for the given runs or every active cluster run; returns the changed ids. */
  async refresh(ids?: string[]): Promise<string[]> {
    const store = this.store();
    const runs = ids
      ? ids.map((id) => store.runs.get(id)).filter((run): run is RunRecord => run !== undefined)
      : store.runs.list({ states: [...ACTIVE_STATES], limit: 1000 });
    const cluster = runs.filter((run) => run.executor === this.name);
    if (cluster.length === 0) return [];
    const redis = await this.redis();
    // A long-lived lead (MCP, dashboard) whose Redis went away says so as a fresh command would; its client reconnects by itself.
    const changed = await foldClusterRuns(redis, store, cluster, (names) => judgeWorkers(redis, names)).catch((error: unknown) => {
      throw redis.status === 'ready' ? error : unreachableError(this.target.url, error);
    });
    return [...changed, ...(await failStrandedResumes(redis, store, cluster))];
  }

  /**
   * Keeps the given runs' records current while someone waits on them: a fold on each pushed change
   * (no polling of logs), and once a second for workers whose heartbeat lapsed. Returns the stopper.
   */
  async watch(ids: string[]): Promise<() => void> {
    const wanted = new Set(ids);
    const redis = await this.redis();
    const subscriber = redis.duplicate();
    subscriber.on('error', () => undefined);
    let folding = Promise.resolve();
    const fold = (which: string[]) => {
      folding = folding.then(() => this.refresh(which).then(() => undefined, () => undefined));
    };
    subscriber.on('message', (_channel: string, id: string) => {
      if (wanted.has(id)) fold([id]);
    });
    await subscriber.subscribe(CLUSTER_KEYS.runEvents);
    fold(ids);
    const timer = setInterval(() => fold(ids), LOST_CHECK_MS);
    return () => {
      clearInterval(timer);
      subscriber.disconnect();
    };
  }

  close(): void {
    for (const queue of this.queues.values()) void queue.close().catch(() => undefined);
    this.queues.clear();
    void this.connection?.then((redis) => redis.disconnect(), () => undefined);
    this.connection = undefined;
  }
}
