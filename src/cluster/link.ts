import type { Redis } from 'ioredis';
import { BatonError } from '../errors.js';
import { ClusterExecutor } from '../executors/cluster.js';
import type { Executor, StartResult, StopResult } from '../executors/types.js';
import type { Store } from '../store/index.js';
import { ACTIVE_STATES, isActive, type RunPlacement, type RunRecord } from '../store/runs.js';
import { askWorker } from './ask.js';
import { resolveRedisTarget } from './connection.js';
import { followRemoteLog } from './follow-remote.js';
import { resumeExecutor, resumePlacement, resumeTarget } from './resume.js';

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

  /** The last lines of a cluster run's log, asked of its worker; none while it waits for one. */
  async tail(run: RunRecord, lines: number, raw: boolean): Promise<{ lines: string[]; offset: number; partial: boolean; missing: boolean }> {
    const worker = run.placement?.worker;
    if (!worker) return { lines: [], offset: 0, partial: false, missing: true };
    return askWorker(await this.redisOf(run), worker, { kind: 'tail', runId: run.id, lines, raw }, `cannot tail run ${run.id}, whose log stays on its worker`, this.env);
  }

  /** Streams a cluster run's log from `from` as its worker relays it, until the run ends. */
  async follow(run: RunRecord, from: number, onText: (text: string, offset: number) => void, signal?: AbortSignal): Promise<void> {
    const redis = await this.redisOf(run);
    const stopWatching = await this.watch([run.id]);
    try {
      await followRemoteLog(redis, run.id, from, onText, {
        workerOf: () => this.store().runs.get(run.id)?.placement?.worker ?? null,
        ended: () => !isActive(this.store().runs.get(run.id)?.state ?? 'failed'),
        env: this.env,
        ...(signal && { signal }),
      });
    } finally {
      stopWatching();
    }
  }

  /** The agent session of a cluster run, exported by its worker, where the session lives. */
  async exportSession(run: RunRecord): Promise<{ sessionId: string; json: unknown }> {
    const worker = run.placement?.worker;
    if (!worker) throw new BatonError('conflict', `run ${run.id} has not started on a worker yet, so it has no session`);
    return askWorker(await this.redisOf(run), worker, { kind: 'export', runId: run.id }, `cannot export the session of run ${run.id}, which lives on its worker`, this.env);
  }

  private async redisOf(run: RunRecord): Promise<Redis> {
    const executor = this.executor();
    if (!executor) throw noCluster(run);
    return executor.redis();
  }

  /** What a resume of a cluster run launches with: its worker's own queue, and the parent's code placement. */
  async resumeOn(parent: RunRecord, base: string | undefined): Promise<{ executor: Executor; placement: RunPlacement }> {
    const executor = this.executor();
    if (!executor) throw noCluster(parent);
    const worker = await resumeTarget(await executor.redis(), parent);
    return { executor: resumeExecutor(executor, parent, worker, base !== undefined), placement: await resumePlacement(parent, base) };
  }

  close(): void {
    this.resolved?.close();
    this.resolved = undefined;
  }
}


function noCluster(run: RunRecord): BatonError {
  return new BatonError('conflict', `run ${run.id} was dispatched to the cluster; set BATON_REDIS_URL (or cluster.redis in config.json) to reach its worker`);
}

function unreachable(run: RunRecord): Executor {
  const refuse = (): never => {
    throw noCluster(run);
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
