import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { RunRecord } from '../store/runs.js';
import { KEEP_ENDED_JOB, runJobOf, type RunJob } from './job.js';
import { CLUSTER_KEYS } from './keys.js';
import { judgeWorkers } from './lost-judgement.js';

/**
 * A run a worker claimed but never started (its published state is still `queued`: the worker was
 * checking the code out, or the run waits in the worker's own local run queue) is not lost with
 * that worker: it goes back to the cluster queue for another one. A run that really started is
 * never handed on: its published state is `running` (or later), and these scripts refuse it.
 *
 * Every move is one Lua script, so the lead putting a run back, a worker taking a redelivered job
 * over and a returning worker starting it locally cannot interleave.
 */

/** KEYS: run hash, the claimer's alive key, the claimer's claims. ARGV: the lost claimer, the events channel, the run id. */
const UNCLAIM = `
if redis.call('HGET', KEYS[1], 'worker') ~= ARGV[1] then return 0 end
if redis.call('HGET', KEYS[1], 'state') ~= 'queued' then return 0 end
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
if redis.call('HEXISTS', KEYS[1], 'target') == 1 then return 0 end
redis.call('HDEL', KEYS[1], 'worker', 'workerHost', 'claimedAt', 'pid', 'worktree')
redis.call('HSET', KEYS[1], 'putBackFrom', ARGV[1])
redis.call('SREM', KEYS[3], ARGV[3])
redis.call('PUBLISH', ARGV[2], ARGV[3])
return 1`;

/** KEYS: run hash, the holder's alive key, this worker's claims. ARGV: the holder judged lost, this worker, its host, now, the events channel, the run id. */
const TAKE_OVER = `
if redis.call('HGET', KEYS[1], 'state') ~= 'queued' then return 0 end
if redis.call('HGET', KEYS[1], 'worker') ~= ARGV[1] then return 0 end
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'worker', ARGV[2], 'workerHost', ARGV[3], 'claimedAt', ARGV[4], 'putBackFrom', ARGV[1])
redis.call('SADD', KEYS[3], ARGV[6])
redis.call('PUBLISH', ARGV[5], ARGV[6])
return 1`;

/**
 * KEYS: run hash, this worker's claims. ARGV: this worker, the events channel, the run id. A worker
 * restarted under its name releasing a claim of its earlier life (no alive check: it is this very
 * worker). Returns 1 released, 0 not its unstarted claim (forgotten then).
 */
const UNCLAIM_OWN = `
redis.call('SREM', KEYS[2], ARGV[3])
if redis.call('HGET', KEYS[1], 'worker') ~= ARGV[1] then return 0 end
if redis.call('HGET', KEYS[1], 'state') ~= 'queued' then return 0 end
if redis.call('HGET', KEYS[1], 'givenUp') == '1' then return 0 end
redis.call('HDEL', KEYS[1], 'worker', 'workerHost', 'claimedAt', 'pid', 'worktree')
redis.call('HSET', KEYS[1], 'putBackFrom', ARGV[1])
redis.call('PUBLISH', ARGV[2], ARGV[3])
return 1`;

/**
 * Lead, when the worker that claimed a still-queued run is lost: the claim is released and the run's
 * job made deliverable again. A job still active under the lost worker's lock is handed back by
 * BullMQ when the lock lapses; one already completed (another worker dropped a redelivery while the
 * claim stood) is added afresh under the same id. Returns false when the run was no longer that
 * worker's unstarted run (it started, or another worker took it over first).
 */
export async function putBackUnstarted(redis: Redis, run: RunRecord, lostWorker: string): Promise<boolean> {
  const released = (await redis.eval(UNCLAIM, 3, CLUSTER_KEYS.run(run.id), CLUSTER_KEYS.alive(lostWorker), CLUSTER_KEYS.claims(lostWorker), lostWorker, CLUSTER_KEYS.runEvents, run.id)) === 1;
  if (!released) return false;
  const queue = new Queue(CLUSTER_KEYS.queue(run.runner), { connection: redis });
  queue.on('error', () => undefined);
  try {
    const state = await queue.getJobState(run.id);
    if (state === 'completed' || state === 'failed' || state === 'unknown') {
      if (state !== 'unknown') await queue.remove(run.id);
      await queue.add('run', await runJobOf(run), { jobId: run.id, ...KEEP_ENDED_JOB });
    }
  } finally {
    await queue.close().catch(() => undefined);
  }
  return true;
}

/**
 * Worker, when its claim of a redelivered job failed: the claim may belong to a lost worker that
 * never started the run (the lead has not noticed yet). Then this worker takes the claim over.
 */
export async function takeOverFromLost(redis: Redis, runId: string, worker: string, host: string): Promise<boolean> {
  const holder = await redis.hget(CLUSTER_KEYS.run(runId), 'worker');
  if (!holder || holder === worker || holder.startsWith('(')) return false;
  // Judged as the lead judges (a heartbeat missing just after a Redis restart is not a loss); the script re-checks the key.
  if ((await judgeWorkers(redis, [holder])).get(holder)?.alive !== false) return false;
  const taken = await redis.eval(TAKE_OVER, 3, CLUSTER_KEYS.run(runId), CLUSTER_KEYS.alive(holder), CLUSTER_KEYS.claims(worker), holder, worker, host, String(Date.now()), CLUSTER_KEYS.runEvents, runId);
  return taken === 1;
}

/** Worker: whether the run is still claimed by it (false once the lead put it back while this worker was out of touch). */
export async function stillClaimedBy(redis: Redis, runId: string, worker: string): Promise<boolean> {
  return (await redis.hget(CLUSTER_KEYS.run(runId), 'worker')) === worker;
}

/**
 * Worker, restarted under its name: lets go of a claim of its earlier life it cannot start (its job is
 * gone), so that the lead's view does not wait on this worker for ever.
 */
export async function releaseOwnClaim(redis: Redis, runId: string, worker: string): Promise<boolean> {
  return (await redis.eval(UNCLAIM_OWN, 2, CLUSTER_KEYS.run(runId), CLUSTER_KEYS.claims(worker), worker, CLUSTER_KEYS.runEvents, runId)) === 1;
}

/** The data of a run's job, from whichever of these queues holds it (ended jobs are kept a week). */
export async function jobDataOf(redis: Redis, runId: string, queueNames: string[]): Promise<RunJob | undefined> {
  for (const name of queueNames) {
    const queue = new Queue<RunJob>(name, { connection: redis });
    queue.on('error', () => undefined);
    try {
      const job = await queue.getJob(runId);
      if (job) return job.data;
    } finally {
      await queue.close().catch(() => undefined);
    }
  }
  return undefined;
}

/** Worker: a run it finished (or dropped) is no longer its claim. */
export async function forgetClaim(redis: Redis, runId: string, worker: string): Promise<void> {
  await redis.srem(CLUSTER_KEYS.claims(worker), runId);
}
