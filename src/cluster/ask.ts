import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { BatonError, type BatonErrorKind } from '../errors.js';
import { CLUSTER_KEYS } from './keys.js';
import { WorkerGoneError } from './worker-gone.js';
import { sightWorkers } from './workers.js';

/**
 * A small request/answer between the lead and one named worker, for what only that worker holds (a
 * run's log, an agent's session). The request goes out on the worker's own channel; the answer comes
 * back on a list only this request knows, so a lead that starts waiting late still finds it.
 */
export type AskRequest =
  | { kind: 'tail'; runId: string; lines: number; raw: boolean }
  /** Start relaying the run's log from this byte offset while someone keeps its follow key alive. */
  | { kind: 'follow'; runId: string; from: number }
  | { kind: 'export'; runId: string };

export type AskAnswer = { ok: true; value: unknown } | { ok: false; kind: BatonErrorKind; message: string };

interface Envelope {
  id: string;
  request: AskRequest;
}

/** How long a worker's answer may take (BATON_ASK_MS overrides); an export runs the agent CLI, so it gets more. */
const ANSWER_MS = { tail: 10_000, follow: 10_000, export: 60_000 } as const satisfies Record<AskRequest['kind'], number>;
/** An answer nobody picked up (the lead gave up waiting) disappears by itself. */
const ANSWER_KEEP_MS = 60_000;

function answerMs(kind: AskRequest['kind'], env: NodeJS.ProcessEnv): number {
  const override = Number(env.BATON_ASK_MS);
  return override > 0 ? override : ANSWER_MS[kind];
}

/**
 * Lead: sends one request to a worker and waits (bounded) for its answer. A worker that is lost, or
 * alive but not answering, is a WorkerGoneError naming it and when it was last seen; an error the
 * worker answered with comes back as the same kind of BatonError.
 */
export async function askWorker<T>(redis: Redis, worker: string, request: AskRequest, what: string, env: NodeJS.ProcessEnv): Promise<T> {
  const sighting = (await sightWorkers(redis, [worker])).get(worker);
  if (!sighting?.alive) throw new WorkerGoneError(worker, sighting, what);
  const id = randomUUID();
  // BLPOP blocks its connection: a connection of its own, so the caller's stays free meanwhile.
  const waiter = redis.duplicate();
  waiter.on('error', () => undefined);
  try {
    const listening = await redis.publish(CLUSTER_KEYS.asks(worker), JSON.stringify({ id, request } satisfies Envelope));
    if (listening === 0) throw new WorkerGoneError(worker, sighting, what);
    const answered = await waiter.blpop(CLUSTER_KEYS.answer(id), answerMs(request.kind, env) / 1000);
    if (!answered) throw new WorkerGoneError(worker, (await sightWorkers(redis, [worker])).get(worker), what);
    const answer = JSON.parse(answered[1]) as AskAnswer;
    if (!answer.ok) throw new BatonError(answer.kind, answer.message);
    return answer.value as T;
  } finally {
    waiter.disconnect();
  }
}

/**
 * Worker: answers the requests sent to it with `handle` (errors included, as their kind and message),
 * each on its own, in the order they come. Returns the stopper.
 */
export async function answerAsks(redis: Redis, worker: string, handle: (request: AskRequest) => Promise<unknown>, log: (line: string) => void): Promise<() => void> {
  const subscriber = redis.duplicate();
  subscriber.on('error', () => undefined);
  subscriber.on('message', (_channel: string, text: string) => {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(text) as Envelope;
    } catch {
      log(`ignored a request that is not JSON`);
      return;
    }
    void (async () => {
      let answer: AskAnswer;
      try {
        answer = { ok: true, value: await handle(envelope.request) };
      } catch (error) {
        answer = { ok: false, kind: error instanceof BatonError ? error.kind : 'runtime', message: `on worker ${worker}: ${(error as Error).message}` };
      }
      await redis.multi().rpush(CLUSTER_KEYS.answer(envelope.id), JSON.stringify(answer)).pexpire(CLUSTER_KEYS.answer(envelope.id), ANSWER_KEEP_MS).exec();
    })().catch((error: unknown) => log(`could not answer a ${envelope.request?.kind} request: ${(error as Error).message}`));
  });
  await subscriber.subscribe(CLUSTER_KEYS.asks(worker));
  return () => subscriber.disconnect();
}
