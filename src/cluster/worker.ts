import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Worker as QueueWorker, type Job } from 'bullmq';
import { Baton } from '../baton.js';
import { startTokenOf } from '../processes/index.js';
import { reasonFields } from '../reasons.js';
import { isActive, type RunRecord } from '../store/runs.js';
import type { RunPatch } from '../store/runs.js';
import { checkOutRun, pushResult } from './code.js';
import { connectRedis, logReconnects, redactUrl } from './connection.js';
import { isConnectionLoss, LEAVE_WITHIN_MS, settleWithin, unlessAborted } from './outage.js';
import { LOCAL_RUN_PREFIX, localRunName, type RunJob } from './job.js';
import { prepareResume } from './resume.js';
import { CLUSTER_KEYS } from './keys.js';
import { answerAsks } from './ask.js';
import { workerAnswers } from './answers.js';
import { LogRelay } from './log-relay.js';
import { fallbackPollMs, listenForWork, type WorkSignal } from './nudge.js';
import { claimRun, FINAL_FIELDS, publishRun, readPublished } from './run-state.js';
import { forgetClaim, jobDataOf, releaseOwnClaim, stillClaimedBy, takeOverFromLost } from './put-back.js';
import { workerRunners, type WorkerRunner } from './runners.js';
import { heartbeat, registerWorker, unregisterWorker, type WorkerInfo } from './workers.js';

/** A heartbeat lapsed this long makes a worker lost (BATON_WORKER_LOST_MS overrides, for tests). */
export const DEFAULT_LOST_AFTER_MS = 10_000;
const HEARTBEAT_MS = 2_000;
/** How often a worker reads its own runs' records (its local store) to publish their changes. */
const WATCH_MS = 200;

export interface WorkerOptions {
  redisUrl: string;
  name?: string;
  slots?: number;
  runners?: string[];
  home: string;
  env: NodeJS.ProcessEnv;
  /** Lines for the worker's own log (the CLI prints them on stderr). */
  log: (line: string) => void;
  /** Aborted: take no more work, let the runs in hand finish, then leave. */
  signal: AbortSignal;
}

export interface WorkerSummary {
  name: string;
  host: string;
  ran: number;
}

interface Held {
  job: Job<RunJob> | null;
  token: string | null;
  localId: string | null;
  /** The checkout's top, where the result is committed from. */
  worktree: string | null;
  /** Where the agent runs: the worktree, or the folder of it the run's dir is (the lead's dir maps to it). */
  dir: string | null;
  remote: string;
  published: { state: string; pid: number | null };
  givenUp: boolean;
  /** The lead asked for a kill before the local run existed (while checking the code out): killed as soon as it does. */
  killAsked: boolean;
}

// The listener goes when the sleep ends: a worker polls for its whole life, and each one kept would pile up on the signal.
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

function lostAfterMs(env: NodeJS.ProcessEnv): number {
  const override = Number(env.BATON_WORKER_LOST_MS);
  return override > 0 ? override : DEFAULT_LOST_AFTER_MS;
}

/**
 * A worker: takes runs from the cluster queue up to its slots, runs each through this home's local
 * executor (so this machine's run queue and memory admission apply too), and publishes their state.
 *
 * One BullMQ queue per runner, fetched by hand: a BullMQ Worker's own loop takes jobs per queue up to
 * its concurrency, so with several runner queues it could hold more jobs than the machine has slots,
 * and a job held while waiting for a slot is a job another idle worker could have run. Fetching only
 * when a slot is free keeps the rest in the queue for the others.
 */
export async function runWorker(options: WorkerOptions): Promise<WorkerSummary> {
  const { env, log, signal } = options;
  const host = hostname();
  const name = options.name ?? `${host}-${process.pid}`;
  const slots = options.slots ?? 1;
  const lostAfter = lostAfterMs(env);
  const pollMs = fallbackPollMs(env);
  const runners = await workerRunners(options.runners, env);
  const redis = await connectRedis(options.redisUrl, env, { blocking: true });
  logReconnects(redis, options.redisUrl, log);
  const local = new Baton({ home: options.home, env, local: true });
  const held = new Map<string, Held>();
  // Its runs wait in this machine's queue held for this process: should it die first, they never start here.
  const heldFor = { pid: process.pid, startToken: startTokenOf(process.pid) };
  const info: WorkerInfo = { name, host, pid: process.pid, slots, running: [], runners, startedAt: Date.now(), heartbeatAt: Date.now(), lostAfterMs: lostAfter };
  const queues = new Map<string, QueueWorker<RunJob>>();
  const subscriber = redis.duplicate();
  subscriber.on('error', () => undefined);
  let ran = 0;
  let beating: NodeJS.Timeout | undefined;
  let relaying: NodeJS.Timeout | undefined;
  let stopAnswering: () => void = () => undefined;
  let work: WorkSignal | undefined;
  /** A heartbeat now, after any in flight (which may have counted a run this one must not). */
  let beatNow: () => Promise<void> = async () => undefined;
  // Each step of the start waits for Redis: one that resolves after a stop must not start timers or take work.
  const stillStarting = () => {
    if (signal.aborted) throw new Error('stopped while starting');
  };
  /** Registers, listens and settles what an earlier life left; ready to take work when it resolves. */
  const setUp = async (): Promise<true> => {
    await registerWorker(redis, info);
    stillStarting();
    // Beside the runners' queues, its own: resumes of its runs, whose sessions only it holds.
    for (const queueName of [...runners.map((runner) => CLUSTER_KEYS.queue(runner.name)), CLUSTER_KEYS.resumeQueue(name)]) {
      const queue = new QueueWorker<RunJob>(queueName, null, {
        connection: redis,
        autorun: false,
        // A job whose worker stopped renewing its lock goes back to the queue after about the lost bound.
        lockDuration: lostAfter,
        stalledInterval: Math.max(1_000, Math.floor(lostAfter / 2)),
        maxStalledCount: 5,
        name,
      });
      queue.on('error', (error) => {
        if (!isConnectionLoss(error)) log(`queue ${queueName}: ${error.message}`);
      });
      void queue.startStalledCheckTimer();
      queues.set(queueName, queue);
    }
    subscriber.on('message', (_channel: string, runId: string) => {
      const run = held.get(runId);
      if (run && !run.localId) run.killAsked = true;
      if (run?.localId) {
        log(`run ${runId}: kill asked by the lead`);
        void local.kill(run.localId).catch((error: unknown) => log(`run ${runId}: kill failed: ${(error as Error).message}`));
      }
    });
    await subscriber.subscribe(CLUSTER_KEYS.kills);
    stillStarting();
    const relay = new LogRelay(redis, local);
    relaying = setInterval(() => void relay.tick().catch((error: unknown) => log(`log relay: ${(error as Error).message}`)), WATCH_MS);
    stopAnswering = await answerAsks(redis, name, workerAnswers(local, relay), log);
    stillStarting();
    work = await listenForWork(redis, runners.map((runner) => runner.name));
    stillStarting();

    const beat = async () => {
      info.running = [...held.keys()];
      info.heartbeatAt = Date.now();
      await heartbeat(redis, info);
      for (const [runId, run] of held) {
        if (run.job && run.token) await run.job.extendLock(run.token, lostAfter).catch(() => undefined);
        const now = await readPublished(redis, runId);
        if (now?.givenUp && !run.givenUp) {
          run.givenUp = true;
          log(`run ${runId} was given up by the lead while this worker was out of touch: killing its orphaned agent`);
          if (run.localId) await local.kill(run.localId).catch(() => undefined);
        } else if (run.localId && !run.givenUp && now && now.worker !== name) {
          // Put back in the cluster queue while this worker was out of touch (it had not started): another worker has it.
          run.givenUp = true;
          log(`run ${runId} was put back in the queue while this worker was out of touch: cancelling it here`);
          await local.kill(run.localId).catch(() => undefined);
        }
      }
    };
    // One beat at a time: while Redis is away a beat waits for it, and a pile of them would all land at once.
    let beatInFlight = false;
    let lastBeat: Promise<void> = Promise.resolve();
    beatNow = () => (lastBeat = lastBeat.catch(() => undefined).then(beat));
    beating = setInterval(() => {
      if (beatInFlight) return;
      beatInFlight = true;
      void beatNow().catch((error: unknown) => log(`heartbeat failed: ${(error as Error).message}`)).finally(() => (beatInFlight = false));
    }, Math.min(HEARTBEAT_MS, Math.floor(lostAfter / 3)));

    await settleEarlierLife();
    stillStarting();
    log(`worker ${name} on ${host}: ${slots} slot(s), runners ${runners.map(describeRunner).join(', ')}, Redis ${redactUrl(options.redisUrl)}`);
    return true;
  };
  try {
    // A stop while Redis is away during the start (each step waiting for it) leaves within the usual bound too.
    const ready = await unlessAborted(setUp(), signal);
    if (!ready) log(`worker ${name}: stopped before it was ready to take work`);
    const order = [...queues.entries()];
    let turn = 0;
    while (ready && !signal.aborted) {
      if (held.size >= slots) {
        await work!.wait(pollMs, signal);
        continue;
      }
      let taken = false;
      for (let i = 0; i < order.length && !taken; i++) {
        const [, queue] = order[(turn + i) % order.length]!;
        const token = randomUUID();
        let job: Job<RunJob> | undefined;
        try {
          job = await unlessAborted(queue.getNextJob(token, { block: false }), signal);
        } catch (error) {
          log(`cannot take jobs: ${(error as Error).message}`);
          await sleep(1_000, signal);
          break;
        }
        if (job) {
          taken = true;
          void take(job, token);
        }
      }
      turn++;
      if (!taken) await work!.wait(pollMs, signal);
    }
    log(`worker ${name}: stopping; no new runs, waiting for ${held.size} run(s) in hand`);
    while (held.size > 0) await sleep(WATCH_MS);
    return { name, host, ran };
  } finally {
    clearInterval(beating);
    clearInterval(relaying);
    stopAnswering();
    work?.close();
    await settleWithin(LEAVE_WITHIN_MS, Promise.allSettled([...[...queues.values()].map((queue) => queue.close()), unregisterWorker(redis, info)]));
    subscriber.disconnect();
    redis.disconnect();
    local.close();
  }

  /**
   * What this worker's earlier life (same name, same home) left behind. The lead still counts on its
   * runs while the heartbeat goes on: an agent still running is adopted again, one that ended while
   * the worker was away is reported, and a claim that never started here goes back to the cluster
   * queue. The agent of a run the lead gave up meanwhile is killed.
   */
  async function settleEarlierLife(): Promise<void> {
    const claims = new Set(await redis.smembers(CLUSTER_KEYS.claims(name)));
    for (const record of local.store.runs.list({ states: ['queued', 'running', 'stalled'], limit: 1000 })) {
      if (record.name?.startsWith(LOCAL_RUN_PREFIX)) claims.add(record.name.slice(LOCAL_RUN_PREFIX.length));
    }
    for (const runId of claims) await settleClaim(runId).catch((error: unknown) => log(`run ${runId}: left from before this worker restarted, but could not settle it: ${(error as Error).message}`));
    if (claims.size > 0) log(`worker ${name}: settled ${claims.size} run(s) left from before it restarted`);
  }

  async function settleClaim(runId: string): Promise<void> {
    const now = await readPublished(redis, runId);
    let record = localRecordOf(runId);
    if (!now || now.givenUp || !isActive(now.state) || now.worker !== name) {
      if (record && isActive(record.state)) {
        log(`run ${runId}: found its agent still running from before this worker restarted, but the lead gave the run up (${now?.givenUp ? 'worker lost' : (now?.state ?? 'unknown')}): killing the orphan`);
        await local.kill(record.id).catch(() => undefined);
      }
      await forgetClaim(redis, runId, name);
      return;
    }
    if (record?.state === 'queued') {
      // It was held for the earlier life: this machine's queue fails it unstarted within a poll, or the kill does.
      await local.kill(record.id).catch(() => undefined);
      record = localRecordOf(runId);
    }
    const data = await jobDataOf(redis, runId, [...queues.keys()]);
    // Unstarted only once its local record ended with no agent: one that left the queue may be spawning it right now.
    if (!record || (!isActive(record.state) && record.pid === null && record.startedAt === null)) {
      // Still this worker's claim, never started: started now, from its job (a redelivery of that job is dropped, the claim being ours).
      if (!data) {
        log(`run ${runId}: claimed before this worker restarted, never started, and its job is gone: releasing the claim`);
        await releaseOwnClaim(redis, runId, name);
        return;
      }
      log(`run ${runId}: claimed before this worker restarted but never started here: starting it now`);
      const run: Held = { job: null, token: null, localId: null, worktree: null, dir: null, remote: data.remote, published: { state: 'queued', pid: null }, givenUp: false, killAsked: false };
      held.set(runId, run);
      void start(data, run);
      return;
    }
    // The job says where its result goes; with the job gone, the run is still reported, without a pushed result.
    const run: Held = { job: null, token: null, localId: record.id, worktree: record.dir, dir: record.dir, remote: data?.remote ?? '', published: { state: now.state, pid: now.pid }, givenUp: false, killAsked: false };
    held.set(runId, run);
    log(isActive(record.state) ? `run ${runId}: adopted again after a restart` : `run ${runId}: ended (${record.state}) while this worker was away: reporting it`);
    void follow(runId, run);
  }

  function localRecordOf(runId: string): RunRecord | undefined {
    try {
      return local.resolveRun(localRunName(runId));
    } catch {
      return undefined;
    }
  }

  async function take(job: Job<RunJob>, token: string): Promise<void> {
    const data = job.data;
    if (held.has(data.runId)) {
      // Redelivered after its lock lapsed while this worker still has it in hand: nothing to do twice.
      await job.moveToCompleted('not run: already in hand', token, false).catch(() => undefined);
      return;
    }
    // The slot is taken now, before the first await: the fetch loop must not take another job meanwhile.
    const run: Held = { job, token, localId: null, worktree: null, dir: null, remote: data.remote, published: { state: 'queued', pid: null }, givenUp: false, killAsked: false };
    held.set(data.runId, run);
    // Claimed before anything is spawned: a job redelivered after its lock lapsed finds the run taken and is dropped.
    let claimed: boolean;
    try {
      claimed = (await claimRun(redis, data.runId, name, host)) || (await takeOverFromLost(redis, data.runId, name, host));
    } catch (error) {
      // Redis trouble, not a rival: the job stays ours until its lock lapses, then goes back to the queue.
      log(`run ${data.runId}: could not claim it: ${(error as Error).message}`);
      held.delete(data.runId);
      return;
    }
    if (!claimed) {
      log(`run ${data.runId}: already taken by another worker or cancelled; dropping this delivery`);
      held.delete(data.runId);
      await job.moveToCompleted('not run: already claimed', token, false).catch(() => undefined);
      return;
    }
    await start(data, run);
  }

  /** Checks the code out and hands the claimed run to this machine's executor; then follows it to its end. */
  async function start(data: RunJob, run: Held): Promise<void> {
    ran++;
    try {
      run.worktree = data.resume ? await prepareResume(local, options.home, data) : await checkOutRun(options.home, data.remote, data.runId);
      run.dir = data.subdir ? join(run.worktree, data.subdir) : run.worktree;
      if (!(await stillClaimedBy(redis, data.runId, name))) {
        log(`run ${data.runId}: put back in the queue while this worker checked the code out; not starting it`);
        await finish(data.runId, run);
        return;
      }
      const launched = data.resume ? await local.resume(localRunName(data.resume.parentId), data.prompt, { name: localRunName(data.runId), heldFor, ...(data.maxCost !== null && { maxCost: data.maxCost }) }) : await local.run({
        runner: data.runner,
        dir: run.dir,
        heldFor,
        prompt: data.prompt,
        name: localRunName(data.runId),
        stallAfterMs: data.stallAfterMs,
        ...(data.agent !== null && { agent: data.agent }),
        ...(data.model !== null && { model: data.model }),
        ...(data.timeoutMs !== null && { timeoutMs: data.timeoutMs }),
        ...(data.maxCost !== null && { maxCost: data.maxCost }),
        runnerOptions: data.runnerOptions,
      });
      run.localId = launched.id;
      log(`run ${data.runId}: started as local run ${launched.id} in ${run.worktree}`);
      if (run.killAsked) await local.kill(launched.id).catch((error: unknown) => log(`run ${data.runId}: kill failed: ${(error as Error).message}`));
    } catch (error) {
      const message = (error as Error).message;
      log(`run ${data.runId}: could not start: ${message}`);
      await publishRun(redis, data.runId, { state: 'failed', patch: { ...reasonFields([{ kind: 'spawn-failed', message: `on worker ${name}: ${message}` }]), endedAt: Date.now() } }).catch(() => undefined);
      await finish(data.runId, run);
      return;
    }
    await follow(data.runId, run);
  }

  /** Publishes the local run's start and end; pushes the result before the end, so a lead that sees it can fetch it. */
  async function follow(runId: string, run: Held): Promise<void> {
    let record: RunRecord | undefined;
    for (;;) {
      try {
        record = local.resolveRun(run.localId!);
      } catch {
        record = undefined;
      }
      if (!record || !isActive(record.state)) break;
      if (record.pid !== run.published.pid || record.state !== run.published.state) {
        // Leaving the local queue: the run is started only if the lead has not put it back meanwhile.
        if (run.published.state === 'queued' && !run.givenUp && !(await stillClaimedBy(redis, runId, name).catch(() => true))) {
          run.givenUp = true;
          log(`run ${runId} was put back in the queue while it waited here: cancelling it here`);
          await local.kill(run.localId!).catch(() => undefined);
        }
        run.published = { state: record.state, pid: record.pid };
        if (!run.givenUp) await publishRun(redis, runId, { state: record.state, pid: record.pid, startedAt: record.startedAt, worktree: run.dir }).catch(() => undefined);
      }
      await sleep(WATCH_MS);
    }
    // The slot is free once the agent ended: told before the end is, so that `baton workers` after `wait` agrees.
    held.delete(runId);
    const slotFreed = beatNow().catch(() => undefined);
    if (record && !run.givenUp) {
      let resultNote: RunPatch = {};
      if (run.worktree && run.remote) {
        try {
          const sha = await pushResult(run.worktree, run.remote, runId, name);
          log(`run ${runId}: ${record.state}; result ${sha.slice(0, 12)} pushed`);
        } catch (error) {
          log(`run ${runId}: could not push the result: ${(error as Error).message}`);
          resultNote = reasonFields([...record.reasonDetails, { kind: 'agent-error', message: `the worker could not push the result: ${(error as Error).message}` }]);
        }
      }
      await slotFreed;
      const patch = Object.fromEntries(FINAL_FIELDS.map((key) => [key, record![key]])) as RunPatch;
      await publishRun(redis, runId, { state: record.state, pid: record.pid, worktree: run.dir, patch: { ...patch, ...resultNote } }).catch((error: unknown) => log(`run ${runId}: could not publish its end: ${(error as Error).message}`));
    } else if (run.givenUp) {
      log(`run ${runId}: orphaned agent ended (${record?.state ?? 'gone'}); nothing published, the lead had given it up`);
    }
    await finish(runId, run);
  }

  async function finish(runId: string, run: Held): Promise<void> {
    if (run.job && run.token) await run.job.moveToCompleted('ended', run.token, false).catch(() => undefined);
    await forgetClaim(redis, runId, name).catch(() => undefined);
    held.delete(runId);
    // A slot is free: look for the next job now rather than at the next poll.
    work?.poke();
  }
}

function describeRunner(runner: WorkerRunner): string {
  return runner.version ? `${runner.name} (${runner.version})` : runner.name;
}
