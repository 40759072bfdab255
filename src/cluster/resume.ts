import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Baton } from '../baton.js';
import { git } from '../baseline/git-tree.js';
import { BatonError } from '../errors.js';
import type { ClusterExecutor } from '../executors/cluster.js';
import type { Executor, StartResult } from '../executors/types.js';
import { reasonFields } from '../reasons.js';
import type { Store } from '../store/index.js';
import { ACTIVE_STATES, type RunPlacement, type RunRecord } from '../store/runs.js';
import { baseRef, cacheCloneOf, pushBase, resultRef } from './code.js';
import { jobOf, KEEP_ENDED_JOB, localRunName, type RunJob } from './job.js';
import { CLUSTER_KEYS } from './keys.js';
import { nudgeWorkers } from './nudge.js';
import { cancelUnclaimed } from './run-state.js';
import { WorkerGoneError } from './worker-gone.js';
import { judgeWorkers } from './lost-judgement.js';

/**
 * Resuming a cluster run: the agent's session lives in the files of the worker that ran it, so the
 * resume goes to that worker alone (a queue of its own), which continues the session of its local run
 * in the same worktree. A worker that is gone cannot resume anything: the resume is refused, or, if
 * the worker is lost while the resume waits for it, failed as worker-lost.
 */

const GIT_TIMEOUT_MS = 120_000;

/** Lead: the worker that holds the parent's session, alive; otherwise a WorkerGoneError (a conflict) naming it. */
export async function resumeTarget(redis: Redis, parent: RunRecord): Promise<string> {
  const worker = parent.placement?.worker;
  if (!worker) throw new BatonError('conflict', `run ${parent.id} never started on a worker, so it has no session to resume; start a new run`);
  const sighting = (await judgeWorkers(redis, [worker])).get(worker);
  if (!sighting?.alive) throw new WorkerGoneError(worker, sighting, `cannot resume run ${parent.id}, whose session lives on its worker`);
  return worker;
}

/**
 * Lead: where the resumed run's code is: the parent's remote, and its base: the one the caller gave,
 * else where the parent left the worktree (its result commit; the parent's own base if it pushed none).
 */
export async function resumePlacement(parent: RunRecord, base: string | undefined): Promise<RunPlacement> {
  const remote = parent.placement!.remote;
  let start = base;
  if (start === undefined) {
    try {
      start = (await git(parent.dir, ['ls-remote', remote, resultRef(parent.id)], {}, { timeoutMs: GIT_TIMEOUT_MS })).split('\t')[0]?.trim() || undefined;
    } catch {
      // Unreadable remote: the worker says so when it pushes; the parent's base is the best known.
    }
  }
  return { remote, base: start ?? parent.placement!.base, worker: null, workerHost: null };
}

/**
 * Lead: an executor that dispatches the resumed run to `worker`'s own queue instead of a runner's.
 * It is the cluster executor in all else, so the record reads like any cluster run's afterwards.
 */
export function resumeExecutor(cluster: ClusterExecutor, parent: RunRecord, worker: string, checkout: boolean): Executor {
  return {
    name: cluster.name,
    initialState: cluster.initialState,
    isSupervised: () => cluster.isSupervised(),
    isAgentAlive: () => cluster.isAgentAlive(),
    stop: (run, graceMs) => cluster.stop(run, graceMs),
    async start(run): Promise<StartResult> {
      const redis = await cluster.redis();
      if (checkout) await pushBase(run.dir, run.placement!.remote, run.placement!.base, run.id);
      // The target is kept with the run: a resume still waiting when its worker is lost is failed, not left queued.
      await redis.hset(CLUSTER_KEYS.run(run.id), { state: 'queued', target: worker });
      const queue = new Queue(CLUSTER_KEYS.resumeQueue(worker), { connection: redis });
      queue.on('error', () => undefined);
      try {
        const job: RunJob = { ...jobOf(run), resume: { parentId: parent.id, checkout } };
        await queue.add('resume', job, { jobId: run.id, ...KEEP_ENDED_JOB });
        // The worker holding the session has the parent's runner: its nudge wakes it, and its fetch looks at its own queue too.
        await nudgeWorkers(redis, run.runner);
      } finally {
        await queue.close().catch(() => undefined);
      }
      return { pid: null };
    },
  };
}

/**
 * Lead: fails the resumes still waiting for a worker that was lost (no other worker can take them).
 * Cancelled for workers first (claimed for nobody), so a worker that comes back never starts one.
 * Returns the ids it failed.
 */
export async function failStrandedResumes(redis: Redis, store: Store, runs: RunRecord[]): Promise<string[]> {
  const waiting = runs.filter((run) => run.placement && run.parentId !== null && run.state === 'queued');
  if (waiting.length === 0) return [];
  const targets = await Promise.all(waiting.map((run) => redis.hget(CLUSTER_KEYS.run(run.id), 'target')));
  const names = [...new Set(targets.filter((name): name is string => name !== null))];
  if (names.length === 0) return [];
  const seen = await judgeWorkers(redis, names);
  const failed: string[] = [];
  for (const [i, run] of waiting.entries()) {
    const worker = targets[i];
    const sighting = worker ? seen.get(worker) : undefined;
    if (!worker || !sighting || sighting.alive) continue;
    if (!(await cancelUnclaimed(redis, run.id))) continue;
    const patch = { state: 'failed' as const, ...reasonFields([{ kind: 'worker-lost', worker, host: sighting.host, lastSeenAt: sighting.lastSeenAt }]), endedAt: Date.now() };
    await redis.multi().hset(CLUSTER_KEYS.run(run.id), { state: 'failed', givenUp: '1' }).publish(CLUSTER_KEYS.runEvents, run.id).exec();
    if (store.runs.updateIfState(run.id, ACTIVE_STATES, patch)) failed.push(run.id);
  }
  return failed;
}

/**
 * Worker: readies the worktree of the local run being resumed and returns it. With `checkout`, the
 * worktree is brought to the run's base (the lead's state: what the agent left may have been merged,
 * fixed or conflicted meanwhile); the state it starts from is pushed as the run's base ref either way,
 * so its diff has a base like any cluster run's.
 */
export async function prepareResume(local: Baton, home: string, job: RunJob): Promise<string> {
  const parent = local.resolveRun(localRunName(job.resume!.parentId));
  const worktree = parent.dir;
  if (job.resume!.checkout) {
    await git(cacheCloneOf(home, job.remote), ['fetch', '--quiet', '--no-tags', job.remote, `+${baseRef(job.runId)}:${baseRef(job.runId)}`], {}, { timeoutMs: GIT_TIMEOUT_MS });
    await git(worktree, ['reset', '--quiet', '--hard', baseRef(job.runId)]);
    // Untracked files of the parent's agent are not part of the lead's state; ignored ones (builds, caches) stay.
    await git(worktree, ['clean', '--quiet', '-fd']);
  } else {
    await git(worktree, ['push', '--quiet', job.remote, `HEAD:${baseRef(job.runId)}`], {}, { timeoutMs: GIT_TIMEOUT_MS });
  }
  return worktree;
}
