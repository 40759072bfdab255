import { BatonError, usageError } from '../errors.js';
import { ClusterExecutor } from '../executors/cluster.js';
import type { Executor, StartResult, StopResult } from '../executors/types.js';
import type { Store } from '../store/index.js';
import { ACTIVE_STATES, isActive, type RunRecord } from '../store/runs.js';
import { connectRedis, resolveRedisTarget } from './connection.js';
import { followClusterRuns, type ClusterFollowOptions } from './follow.js';
import { listWorkers, type WorkerView } from './workers.js';

/**
 * The library's tie to the cluster: the executor runs dispatch through when a Redis URL is configured,
 * and what reads of cluster runs need. Resolved lazily, so that a home without a cluster never reads
 * its config for it nor connects anywhere.
 */
export class ClusterLink {
  private resolved: ClusterExecutor | null | undefined;

  constructor(
    private readonly home: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly store: () => Store,
    private readonly localOnly: boolean,
  ) {}

  /** The executor new runs dispatch through, or undefined: runs stay on this machine. */
  executor(): ClusterExecutor | undefined {
    if (this.localOnly) return undefined;
    if (this.resolved === undefined) {
      const target = resolveRedisTarget(this.home, this.env);
      this.resolved = target ? new ClusterExecutor(target, this.env, this.store) : null;
    }
    return this.resolved ?? undefined;
  }

  /** The executor of a run dispatched to the cluster; without a Redis URL here, one that says how to reach it. */
  executorOf(run: RunRecord): Executor {
    return this.executor() ?? unreachable(run);
  }

  /** Folds what workers published; reads nothing of the cluster (config, Redis) while no cluster run is active. */
  async refresh(ids?: string[]): Promise<void> {
    const runs = ids ? ids.map((id) => this.store().runs.get(id)) : this.store().runs.list({ states: [...ACTIVE_STATES], limit: 1000 });
    if (runs.some((run) => run?.placement && isActive(run.state))) await this.executor()?.refresh(ids);
  }

  async cancel(run: RunRecord): Promise<void> {
    await this.executor()?.cancel(run);
  }

  /** Keeps the given runs current while a caller waits on them; a no-op stopper when none is a cluster run. */
  async watch(ids: string[]): Promise<() => void> {
    if (!ids.some((id) => this.store().runs.get(id)?.placement)) return () => undefined;
    const executor = this.executor();
    return executor ? executor.watch(ids) : () => undefined;
  }

  /** Keeps every cluster run current while a dashboard looks (see follow.ts); a no-op stopper without a cluster. */
  async follow(options: ClusterFollowOptions): Promise<() => void> {
    const executor = this.executor();
    return executor ? followClusterRuns(executor, options) : () => undefined;
  }

  /** The cluster's workers, as `baton workers` lists them; `redisUrl` names another cluster than the configured one. */
  async workers(redisUrl?: string): Promise<WorkerView[]> {
    const target = resolveRedisTarget(this.home, this.env, redisUrl);
    if (!target) throw usageError('no cluster configured: give --redis URL, or set BATON_REDIS_URL or cluster.redis in config.json');
    const executor = redisUrl === undefined ? this.executor() : undefined;
    if (executor) return listWorkers(await executor.redis());
    const redis = await connectRedis(target.url, this.env);
    try {
      return await listWorkers(redis);
    } finally {
      redis.disconnect();
    }
  }

  close(): void {
    this.resolved?.close();
    this.resolved = undefined;
  }
}


function unreachable(run: RunRecord): Executor {
  const refuse = (): never => {
    throw new BatonError('conflict', `run ${run.id} was dispatched to the cluster; set BATON_REDIS_URL (or cluster.redis in config.json) to reach its worker`);
  };
  return {
    name: 'cluster',
    start: (): Promise<StartResult> => refuse(),
    stop: (): Promise<StopResult> => refuse(),
    // Its worker, not this machine, knows whether it runs.
    isSupervised: () => true,
    isAgentAlive: () => false,
  };
}
