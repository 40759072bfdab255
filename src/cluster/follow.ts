import type { Redis } from 'ioredis';
import { CLUSTER_KEYS } from './keys.js';

/** How often a follower looks for lost workers between pushed updates: a lapsed heartbeat publishes nothing. */
export const FOLLOW_LOST_CHECK_MS = 1_000;

/** What a follower needs of the lead's cluster executor: its connection and its fold. */
export interface FoldSource {
  redis(): Promise<Redis>;
  /** Folds what workers published into the store (the given runs, or every active cluster run); returns the changed ids. */
  refresh(ids?: string[]): Promise<string[]>;
}

export interface ClusterFollowOptions {
  /** Every run whose record a fold changed, after the fold (so the store already says it). */
  onChange: (ids: string[]) => void;
  /** A fold that failed (Redis gone for a moment): the follower goes on, and the next message or check folds again. */
  onError?: (error: unknown) => void;
  lostCheckMs?: number;
}

/**
 * Keeps every cluster run of the lead's store current for as long as someone looks (a dashboard):
 * a fold on each change a worker publishes, pushed through the run events channel (no polling of
 * remote logs), and a periodic fold for workers whose heartbeat lapsed. Folds run one at a time, in
 * order. Resolves, once subscribed, with the stopper; rejects when Redis cannot be reached.
 */
export async function followClusterRuns(source: FoldSource, options: ClusterFollowOptions): Promise<() => void> {
  const redis = await source.redis();
  const subscriber = redis.duplicate();
  subscriber.on('error', () => undefined);
  let stopped = false;
  let folding = Promise.resolve();
  const fold = (ids?: string[]) => {
    folding = folding.then(async () => {
      if (stopped) return;
      try {
        const changed = await source.refresh(ids);
        if (changed.length > 0 && !stopped) options.onChange(changed);
      } catch (error) {
        options.onError?.(error);
      }
    });
  };
  // Another lead's runs share the channel: refresh() skips ids this store does not hold.
  subscriber.on('message', (_channel: string, id: string) => fold([id]));
  try {
    await subscriber.subscribe(CLUSTER_KEYS.runEvents);
  } catch (error) {
    subscriber.disconnect();
    throw error;
  }
  fold();
  const timer = setInterval(() => fold(), options.lostCheckMs ?? FOLLOW_LOST_CHECK_MS);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
    subscriber.disconnect();
  };
}
