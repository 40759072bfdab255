import { freeMemoryMb, loadConfig, type BatonConfig } from '../config.js';
import type { Store } from '../store/index.js';
import { providerOf, type LimitBreaker, type ProcessRef, type RunRecord } from '../store/runs.js';
import { reasonFields, renderReason, type Reason } from '../reasons.js';
import { identityByStart, isProcessAlive } from '../processes/index.js';

/** How often a queued run's supervisor looks for a free slot: a freed slot is taken within this. */
export const QUEUE_POLL_MS = 250;

export type Admission = 'admitted' | 'cancelled' | 'gone';


/** The settings, or the last good ones when config.json is broken mid-queue (the launcher reports the error). */
function settings(home: string, env: NodeJS.ProcessEnv, last: BatonConfig | undefined): BatonConfig {
  try {
    return loadConfig(home, env);
  } catch (error) {
    if (last) return last;
    throw error;
  }
}

/** Why a run may not start now, or null when it may (slots counted separately, in the store's transaction). */
function memoryHold(config: BatonConfig): Reason | null {
  const freeMb = freeMemoryMb();
  const floorMb = config.minFreeMemoryMb.value;
  return freeMb < floorMb ? { kind: 'queued-for-memory', freeMb, floorMb } : null;
}

/**
 * The usage limit that holds this run, if any: another run of the same runner and provider ended
 * `limited` and its reset is still ahead. Runs of an unknown provider are held by any of the runner.
 */
export function breakerFor(store: Store, run: RunRecord, now = Date.now()): LimitBreaker | null {
  if (run.guards.ignoreLimitBreaker) return null;
  const provider = providerOf(run.model);
  const holding = store.runs
    .limitBreakers(now, run.runner)
    .filter((breaker) => breaker.runId !== run.id && (provider === null || providerOf(breaker.model) === null || providerOf(breaker.model) === provider));
  return holding[0] ?? null;
}

/** Whether a queued run is held by a usage limit (then it does not hold up the runs behind it). */
const heldByBreaker = (store: Store) => (id: string) => {
  const run = store.runs.get(id);
  return run !== undefined && breakerFor(store, run) !== null;
};

const breakerReason = (breaker: LimitBreaker): Reason => ({
  kind: 'queued-for-limit',
  runId: breaker.runId,
  runner: breaker.runner,
  provider: providerOf(breaker.model),
  resetsAt: breaker.resetAt,
});

/** Why the run must wait whatever the slots say: memory short, or a usage limit of its provider in force. */
function hold(store: Store, run: RunRecord, config: BatonConfig): Reason | null {
  const memory = memoryHold(config);
  if (memory) return memory;
  const breaker = breakerFor(store, run);
  return breaker ? breakerReason(breaker) : null;
}

const slotReason = (store: Store, runId: string, config: BatonConfig): Reason => ({
  kind: 'queued-for-slot',
  running: store.runs.slotHolders(runId),
  cap: config.maxConcurrent.value,
  ahead: store.runs.queuedAhead(runId),
});

/** Whether the process is still the one recorded (not gone, and its pid not taken by a later one). */
function isSameProcess(ref: ProcessRef): boolean {
  if (!isProcessAlive(ref.pid)) return false;
  // Alive, and a start that cannot be read now (no /proc, no ps) is no proof of another process.
  return ref.startToken === null || identityByStart(ref.pid, ref.startToken) !== 'other';
}

/**
 * At the claim: queues the run when every slot is taken, runs are already waiting, memory is short,
 * or a usage limit of its runner and provider is in force.
 * Returns whether it queued it; the launcher then returns at once with state "queued".
 */
export function queueIfNeeded(store: Store, runId: string, home: string, env: NodeJS.ProcessEnv): boolean {
  const config = loadConfig(home, env);
  const run = store.runs.get(runId);
  const held = run ? hold(store, run, config) : null;
  const slots = held ? 0 : config.maxConcurrent.value;
  return store.runs.queueIfFull(runId, slots, reasonFields([held ?? slotReason(store, runId, config)]), heldByBreaker(store));
}

/**
 * Holds a queued run until it may start: a slot free, no run queued before it, enough memory, no
 * usage limit of its runner and provider in force. The
 * supervisor polls the store, so a slot freed by any process (another supervisor, a kill from a shell
 * that has since exited) is taken within QUEUE_POLL_MS with no Baton command running. A kill while
 * queued ends the run `killed`, nothing started; so does its holder's exit (`failed`, holder-gone).
 */
export async function waitForSlot(store: Store, runId: string, home: string, env: NodeJS.ProcessEnv): Promise<Admission> {
  let config: BatonConfig | undefined;
  let said = '';
  for (;;) {
    const run = store.runs.get(runId);
    if (!run || run.state !== 'queued') return run?.state === 'running' ? 'admitted' : 'gone';
    if (run.killRequestedAt !== null) {
      const killed = store.runs.updateIfState(runId, ['queued'], {
        state: 'killed',
        ...reasonFields([{ kind: 'killed', whileQueued: true }]),
        endedAt: Date.now(),
      });
      return killed ? 'cancelled' : 'gone';
    }
    const holder = run.guards.heldFor;
    if (holder && !isSameProcess(holder)) {
      const failed = store.runs.updateIfState(runId, ['queued'], { state: 'failed', ...reasonFields([{ kind: 'holder-gone', pid: holder.pid }]), endedAt: Date.now() });
      return failed ? 'cancelled' : 'gone';
    }
    config = settings(home, env, config);
    const held = hold(store, run, config);
    if (!held && store.runs.admitIfFree(runId, config.maxConcurrent.value, heldByBreaker(store))) return 'admitted';
    const reason = held ?? slotReason(store, runId, config);
    // Written only when its words change: every write wakes the dashboard's live feed.
    if (renderReason(reason) !== said) {
      store.runs.updateIfState(runId, ['queued'], reasonFields([reason]));
      said = renderReason(reason);
    }
    await new Promise((resolve) => setTimeout(resolve, QUEUE_POLL_MS));
  }
}
