import type { Redis } from 'ioredis';
import { CLUSTER_KEYS } from './keys.js';

/**
 * "Work added" nudges, so that an idle worker takes a new job at once without polling Redis
 * several times a second: the lead publishes the runner's name after it adds a job, and the worker
 * waits on that. The worker still looks at its queues now and then when no nudge comes, for jobs
 * that arrive without one (a job handed back after its worker's lock lapsed, a nudge published while
 * this worker was reconnecting).
 */
/** How often an idle worker looks at its queues when no nudge comes (BATON_WORKER_POLL_MS overrides, for tests). */
const FALLBACK_POLL_MS = 1_000;

export function fallbackPollMs(env: NodeJS.ProcessEnv): number {
  const override = Number(env.BATON_WORKER_POLL_MS);
  return override > 0 ? override : FALLBACK_POLL_MS;
}

export async function nudgeWorkers(redis: Redis, runner: string): Promise<void> {
  await redis.publish(CLUSTER_KEYS.workAdded, runner);
}

export interface WorkSignal {
  /** Resolves at the next nudge (or one that came since the last wait), after `ms`, or on abort. */
  wait(ms: number, signal?: AbortSignal): Promise<void>;
  /** Wakes the waiter from this process (a slot freed). */
  poke(): void;
  close(): void;
}

/** Listens for nudges about the given runners on a connection of its own (a subscriber can do nothing else). */
export async function listenForWork(redis: Redis, runners: readonly string[]): Promise<WorkSignal> {
  const subscriber = redis.duplicate();
  subscriber.on('error', () => undefined);
  // A nudge that comes while the worker is busy fetching is kept, so the next wait returns at once.
  let pending = false;
  let wake: (() => void) | undefined;
  const poke = () => {
    pending = true;
    wake?.();
  };
  subscriber.on('message', (_channel: string, runner: string) => {
    if (runners.includes(runner)) poke();
  });
  await subscriber.subscribe(CLUSTER_KEYS.workAdded);
  return {
    poke,
    wait(ms, signal) {
      if (pending || signal?.aborted) {
        pending = false;
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          wake = undefined;
          pending = false;
          resolve();
        };
        const timer = setTimeout(done, ms);
        signal?.addEventListener('abort', done, { once: true });
        wake = done;
      });
    },
    close: () => subscriber.disconnect(),
  };
}
