import type { Redis } from 'ioredis';
import { reasonFields } from '../reasons.js';
import { ACTIVE_STATES, ENDED_STATES, type RunPatch, type RunRecord, type RunState } from '../store/runs.js';
import type { Store } from '../store/index.js';
import { CLUSTER_KEYS } from './keys.js';
import { putBackUnstarted } from './put-back.js';

/**
 * A cluster run's state as its worker publishes it: a Redis hash per run plus a message on one
 * channel per change. The lead folds it into its own store when it reads (no daemon on the lead).
 */
export interface PublishedRun {
  state: RunState;
  worker: string | null;
  workerHost: string | null;
  pid: number | null;
  startedAt: number | null;
  /** The worker's record fields at the end (reasons, digest, exit code, session…), only once the run ended. */
  patch: RunPatch | null;
  /** Set by the lead when it gave the run up (its worker was lost): a worker that comes back kills the orphan. */
  givenUp: boolean;
  /** Where the worker checked the code out: paths under it are the lead's dir, as far as the lead is concerned. */
  worktree: string | null;
}

/** The fields of the worker's own record the lead copies at the end. Paths (log, dir) stay the lead's own. */
export const FINAL_FIELDS = ['reasons', 'reasonDetails', 'exitCode', 'signal', 'sessionId', 'limitResetAt', 'startedAt', 'endedAt', 'outputBytes', 'outputLines', 'lastOutputAt', 'lastActivityAt', 'digest', 'finalMessage'] as const satisfies readonly (keyof RunRecord)[];

/** A worker's sentinel for "the lead cancelled it before any worker claimed it". */
const CANCELLED = '(cancelled)';

function parse(hash: Record<string, string>): PublishedRun | undefined {
  if (!hash.state) return undefined;
  return {
    state: hash.state as RunState,
    worker: hash.worker && hash.worker !== CANCELLED ? hash.worker : null,
    workerHost: hash.workerHost || null,
    pid: hash.pid ? Number(hash.pid) : null,
    startedAt: hash.startedAt ? Number(hash.startedAt) : null,
    patch: hash.patch ? (JSON.parse(hash.patch) as RunPatch) : null,
    worktree: hash.worktree || null,
    givenUp: hash.givenUp === '1',
  };
}

export async function readPublished(redis: Redis, runId: string): Promise<PublishedRun | undefined> {
  return parse(await redis.hgetall(CLUSTER_KEYS.run(runId)));
}

/** Lead, at dispatch: the run exists and waits for a worker. */
export async function publishQueued(redis: Redis, runId: string): Promise<void> {
  await redis.hset(CLUSTER_KEYS.run(runId), { state: 'queued' });
}

/**
 * Worker: takes the run for itself before spawning anything. HSETNX is atomic, so of two workers that
 * got the same job (a redelivery after a lapsed lock) only one ever runs it; a run the lead cancelled
 * first cannot be claimed at all.
 */
export async function claimRun(redis: Redis, runId: string, worker: string, host: string): Promise<boolean> {
  const key = CLUSTER_KEYS.run(runId);
  if ((await redis.hsetnx(key, 'worker', worker)) !== 1) return false;
  // Still `queued`: claimed is not started. Until the worker publishes `running`, losing it puts the run back (put-back.ts).
  await redis.multi().hset(key, { state: 'queued', workerHost: host, claimedAt: String(Date.now()) }).sadd(CLUSTER_KEYS.claims(worker), runId).publish(CLUSTER_KEYS.runEvents, runId).exec();
  return true;
}

/** Lead, when it kills a queued run: claims it for nobody, so no worker starts it. False when a worker claimed it first. */
export async function cancelUnclaimed(redis: Redis, runId: string): Promise<boolean> {
  return (await redis.hsetnx(CLUSTER_KEYS.run(runId), 'worker', CANCELLED)) === 1;
}

/** Worker: the agent started (pid known) or the run ended (its final fields). */
export async function publishRun(redis: Redis, runId: string, fields: { state: RunState; pid?: number | null; startedAt?: number | null; patch?: RunPatch; worktree?: string | null }): Promise<void> {
  const hash: Record<string, string> = { state: fields.state };
  if (fields.worktree) hash.worktree = fields.worktree;
  if (fields.pid != null) hash.pid = String(fields.pid);
  if (fields.startedAt != null) hash.startedAt = String(fields.startedAt);
  if (fields.patch) hash.patch = JSON.stringify(fields.patch);
  await redis.multi().hset(CLUSTER_KEYS.run(runId), hash).publish(CLUSTER_KEYS.runEvents, runId).exec();
}

/** When each worker last heartbeated and on which host, from the registry (see workers.ts). */
export interface WorkerSighting {
  alive: boolean;
  host: string | null;
  lastSeenAt: number | null;
}

/**
 * Lead: brings the store's active cluster runs up to what their workers published, and gives up the
 * runs of a worker whose heartbeat lapsed. Returns the ids whose record changed.
 */
export async function foldClusterRuns(redis: Redis, store: Store, runs: RunRecord[], sightings: (names: string[]) => Promise<Map<string, WorkerSighting>>): Promise<string[]> {
  const active = runs.filter((run) => run.placement && ACTIVE_STATES.includes(run.state));
  if (active.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const run of active) pipeline.hgetall(CLUSTER_KEYS.run(run.id));
  const answers = (await pipeline.exec()) ?? [];
  // A pipeline answers each command's error instead of throwing: Redis gone must not read as "nothing published".
  const failed = answers.find(([error]) => error);
  if (failed) throw failed[0];
  const published = active.map((run, i) => ({ run, now: parse((answers[i]?.[1] as Record<string, string> | undefined) ?? {}) }));
  const workerNames = [...new Set(published.flatMap(({ now }) => (now?.worker && ACTIVE_STATES.includes(now.state) ? [now.worker] : [])))];
  const seen = workerNames.length > 0 ? await sightings(workerNames) : new Map<string, WorkerSighting>();
  const changed: string[] = [];
  for (const { run, now } of published) {
    if (!now) continue;
    const placement = { ...run.placement!, worker: now.worker, workerHost: now.workerHost };
    let patch: RunPatch | undefined;
    if (ENDED_STATES.includes(now.state)) {
      patch = { ...(now.patch && now.worktree ? inLeadDir(now.patch, now.worktree, run.dir) : now.patch), state: now.state, placement, pid: now.pid };
    } else if (now.worker && now.state === 'queued' && run.parentId === null && seen.get(now.worker)?.alive === false) {
      // Claimed but never started: not lost with its worker, but handed to another one (a resume needs its own worker: it fails below).
      if (await putBackUnstarted(redis, run, now.worker)) patch = { placement: { ...placement, worker: null, workerHost: null } };
    } else if (now.worker && seen.get(now.worker)?.alive === false) {
      const sighting = seen.get(now.worker)!;
      const endedAt = Date.now();
      const reason = { kind: 'worker-lost' as const, worker: now.worker, host: now.workerHost ?? sighting.host, lastSeenAt: sighting.lastSeenAt };
      patch = { state: 'failed', ...reasonFields([reason]), endedAt, placement, pid: now.pid };
      // Told to Redis too, so that the worker, should it come back, kills the agent instead of finishing it.
      await redis.multi().hset(CLUSTER_KEYS.run(run.id), { state: 'failed', givenUp: '1', patch: JSON.stringify(patch) }).publish(CLUSTER_KEYS.runEvents, run.id).exec();
    } else if (now.state !== run.state || now.pid !== run.pid || now.worker !== run.placement!.worker) {
      patch = { state: now.state, pid: now.pid, placement, ...(now.startedAt !== null && { startedAt: now.startedAt }) };
    }
    if (patch && store.runs.updateIfState(run.id, ACTIVE_STATES, patch)) changed.push(run.id);
  }
  return changed;
}

/** The worker's record speaks of its worktree; the lead's of its own dir (files changed, commands, events). */
function inLeadDir(patch: RunPatch, worktree: string, dir: string): RunPatch {
  return JSON.parse(JSON.stringify(patch).split(JSON.stringify(worktree).slice(1, -1)).join(JSON.stringify(dir).slice(1, -1))) as RunPatch;
}
