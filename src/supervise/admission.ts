import { freemem } from 'node:os';
import { loadConfig, type BatonConfig } from '../config.js';
import type { Store } from '../store/index.js';

/** How often a queued run's supervisor looks for a free slot: a freed slot is taken within this. */
export const QUEUE_POLL_MS = 250;

export type Admission = 'admitted' | 'cancelled' | 'gone';

const freeMemoryMb = () => Math.floor(freemem() / 2 ** 20);

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
function memoryHold(config: BatonConfig): string | null {
  const free = freeMemoryMb();
  const floor = config.minFreeMemoryMb.value;
  return free < floor ? `queued: ${free} MB of memory free, below the ${floor} MB a new agent needs (minFreeMemoryMb)` : null;
}

const slotReason = (store: Store, runId: string, config: BatonConfig) => {
  const ahead = store.runs.queuedAhead(runId);
  const line = ahead === 0 ? 'first in line' : `${ahead} queued before it`;
  return `queued: ${store.runs.slotHolders(runId)} of ${config.maxConcurrent.value} agents running (maxConcurrent), ${line}`;
};

/**
 * At the claim: queues the run when every slot is taken, runs are already waiting, or memory is short.
 * Returns whether it queued it; the launcher then returns at once with state "queued".
 */
export function queueIfNeeded(store: Store, runId: string, home: string, env: NodeJS.ProcessEnv): boolean {
  const config = loadConfig(home, env);
  const held = memoryHold(config);
  const slots = held ? 0 : config.maxConcurrent.value;
  return store.runs.queueIfFull(runId, slots, held ?? slotReason(store, runId, config));
}

/**
 * Holds a queued run until it may start: a slot free, no run queued before it, enough memory. The
 * supervisor polls the store, so a slot freed by any process (another supervisor, a kill from a shell
 * that has since exited) is taken within QUEUE_POLL_MS with no Baton command running. A kill while
 * queued ends the run `killed`, nothing started.
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
        reasons: ['killed by baton kill while queued; the agent never started'],
        endedAt: Date.now(),
      });
      return killed ? 'cancelled' : 'gone';
    }
    config = settings(home, env, config);
    const held = memoryHold(config);
    if (!held && store.runs.admitIfFree(runId, config.maxConcurrent.value)) return 'admitted';
    const reason = held ?? slotReason(store, runId, config);
    if (reason !== said) {
      store.runs.updateIfState(runId, ['queued'], { reasons: [reason] });
      said = reason;
    }
    await new Promise((resolve) => setTimeout(resolve, QUEUE_POLL_MS));
  }
}
