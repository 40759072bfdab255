import type { Redis } from 'ioredis';
import { askWorker } from './ask.js';
import { CLUSTER_KEYS } from './keys.js';
import type { LogChunk } from './log-relay.js';
import { WorkerGoneError } from './worker-gone.js';

/** The follow key's life: a follower that died stops the relay this soon after. */
const FOLLOW_KEY_MS = 6_000;
/** How often the follower looks at the lead's record (kept current by pushed updates, not by reading logs). */
const LOOK_MS = 200;
/** How often a follower asks its worker again to relay from where it stands. */
const REASK_MS = 5_000;
/** The run ended on the lead with no end from the relay (its worker was lost, or it never started): stop after this. */
const NO_END_GRACE_MS = 3_000;
/** The relay said the log ended: the lead's record follows when the worker publishes the end (after pushing the result). */
const RECORD_END_MS = 20_000;

export interface RemoteFollowSource {
  /** The worker that holds the run now (null while it waits in the queue). */
  workerOf(): string | null;
  /** Whether the lead's record says the run ended. */
  ended(): boolean;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/**
 * Lead: streams a cluster run's log from byte `from` as its worker relays it (src/cluster/log-relay.ts)
 * until the run ends. Subscribed before asking, so nothing the relay sends is missed; the text that
 * overlaps what was already shown is cut off by byte offset.
 */
export async function followRemoteLog(redis: Redis, runId: string, from: number, onText: (text: string, offset: number) => void, source: RemoteFollowSource): Promise<void> {
  const subscriber = redis.duplicate();
  subscriber.on('error', () => undefined);
  let position = from;
  let logEnded = false;
  subscriber.on('message', (_channel: string, message: string) => {
    const chunk = JSON.parse(message) as LogChunk;
    if (chunk.to > position && chunk.text.length > 0) {
      const skip = Math.max(0, position - chunk.from);
      position = chunk.to;
      onText(skip === 0 ? chunk.text : Buffer.from(chunk.text).subarray(skip).toString('utf8'), position);
    }
    if (chunk.end) logEnded = true;
  });
  const keepFollowing = () => redis.set(CLUSTER_KEYS.following(runId), '1', 'PX', FOLLOW_KEY_MS);
  let keeping: NodeJS.Timeout | undefined;
  try {
    await subscriber.subscribe(CLUSTER_KEYS.log(runId));
    await keepFollowing();
    keeping = setInterval(() => void keepFollowing().catch(() => undefined), FOLLOW_KEY_MS / 3);
    let asked: string | null = null;
    let askedAt = 0;
    let endedAt: number | null = null;
    while (!logEnded && !source.signal?.aborted) {
      const worker = source.workerOf();
      if (worker && worker !== asked) {
        asked = worker;
        askedAt = Date.now();
        try {
          await askWorker(redis, worker, { kind: 'follow', runId, from: position }, `cannot follow run ${runId}, whose log stays on its worker`, source.env);
        } catch (error) {
          // A worker dying now is declared lost by the lead's fold, which ends this follow; one that was only
          // slow is asked again below. Anything else is the caller's.
          if (!(error instanceof WorkerGoneError)) throw error;
        }
      } else if (worker && Date.now() - askedAt > REASK_MS) {
        // Asked again from where this follower stands: a worker that restarted forgot its followers, and
        // text published while Redis restarted is lost. Overlap is cut off by offset above.
        askedAt = Date.now();
        await askWorker(redis, worker, { kind: 'follow', runId, from: position }, `cannot follow run ${runId}`, source.env).catch(() => undefined);
      }
      if (source.ended()) {
        endedAt ??= Date.now();
        if (Date.now() - endedAt > NO_END_GRACE_MS) return;
      }
      await sleep(LOOK_MS);
    }
    const deadline = Date.now() + RECORD_END_MS;
    while (!source.ended() && Date.now() < deadline && !source.signal?.aborted) await sleep(LOOK_MS);
  } finally {
    clearInterval(keeping);
    subscriber.disconnect();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
