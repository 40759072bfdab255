import assert from 'node:assert/strict';
import { test } from 'node:test';
import { answerAsks, askWorker } from '../../src/cluster/ask.js';
import { connectRedis } from '../../src/cluster/connection.js';
import { WorkerGoneError } from '../../src/cluster/worker-gone.js';
import { heartbeat, type WorkerInfo } from '../../src/cluster/workers.js';
import { BatonError } from '../../src/errors.js';
import { startRedis } from './harness.js';

const info = (name: string): WorkerInfo => ({ name, host: 'host-a', pid: process.pid, slots: 1, running: [], runners: [], startedAt: Date.now(), heartbeatAt: Date.now() - 5_000, lostAfterMs: 60_000 });
const env = { BATON_ASK_MS: '1000' };

test('ask: a worker that answers, one that answers an error, one that is lost, one alive but deaf or silent', async (t) => {
  const redis = await connectRedis((await startRedis(t)).url, {});
  t.after(() => redis.disconnect());

  await heartbeat(redis, info('w1'));
  const stop = await answerAsks(redis, 'w1', async (request) => {
    if (request.kind === 'export') throw new BatonError('not-found', `no run ${request.runId}`);
    return { echoed: request };
  }, () => undefined);
  t.after(stop);
  assert.deepEqual(await askWorker(redis, 'w1', { kind: 'tail', runId: 'r1', lines: 3, raw: false }, 'tail r1', env), { echoed: { kind: 'tail', runId: 'r1', lines: 3, raw: false } });
  // The worker's error comes back as the same kind, saying where it happened.
  await assert.rejects(askWorker(redis, 'w1', { kind: 'export', runId: 'r2' }, 'export r2', env), (error: BatonError) => error.kind === 'not-found' && error.message === 'on worker w1: no run r2');

  // Never registered, or its heartbeat lapsed: gone, with when it was last seen.
  await assert.rejects(askWorker(redis, 'nobody', { kind: 'tail', runId: 'r', lines: 1, raw: false }, 'cannot tail run r', env), (error: WorkerGoneError) =>
    error instanceof WorkerGoneError && error.kind === 'conflict' && error.message === 'cannot tail run r: worker nobody is gone (last seen never)');
  const lapsed = info('lapsed');
  await redis.hset('baton:workers', 'lapsed', JSON.stringify(lapsed));
  await assert.rejects(askWorker(redis, 'lapsed', { kind: 'tail', runId: 'r', lines: 1, raw: false }, 'cannot tail run r', env), (error: WorkerGoneError) =>
    error.worker === 'lapsed' && /^cannot tail run r: worker lapsed on host-a is gone \(last seen \d{4}-.*Z\)$/.test(error.message) && error.lastSeenAt === lapsed.heartbeatAt);

  // Alive but not listening, or listening but not answering: bounded, and said so.
  await heartbeat(redis, info('deaf'));
  await assert.rejects(askWorker(redis, 'deaf', { kind: 'tail', runId: 'r', lines: 1, raw: false }, 'cannot tail run r', env), /worker deaf on host-a does not answer/);
  await heartbeat(redis, info('silent'));
  t.after(await answerAsks(redis, 'silent', () => new Promise(() => undefined), () => undefined));
  const started = Date.now();
  await assert.rejects(askWorker(redis, 'silent', { kind: 'tail', runId: 'r', lines: 1, raw: false }, 'cannot tail run r', env), /worker silent on host-a does not answer/);
  assert.ok(Date.now() - started >= 900, 'waited the bound');
});
