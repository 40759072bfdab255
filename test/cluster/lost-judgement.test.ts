import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectRedis } from '../../src/cluster/connection.js';
import { judgeWorkers, redisUptimeMs } from '../../src/cluster/lost-judgement.js';
import { heartbeat, type WorkerInfo } from '../../src/cluster/workers.js';
import { startRedis } from './harness.js';
import { waitFor } from '../wait-for.js';

const info = (name: string, lostAfterMs: number): WorkerInfo => ({ name, host: 'h', pid: 1, slots: 1, running: [], runners: [], startedAt: 0, heartbeatAt: 0, lostAfterMs });

test('a missing heartbeat means lost only once Redis has been up for the worker\'s whole bound', async (t) => {
  const server = await startRedis(t, { persistent: true });
  const redis = await connectRedis(server.url, {});
  t.after(() => redis.disconnect());
  await heartbeat(redis, info('beating', 60_000));
  // Registered, then their heartbeat lapsed: 'patient' has a bound longer than Redis has been up, 'quick' a short one.
  await heartbeat(redis, info('patient', 60_000));
  await heartbeat(redis, info('quick', 1_000));
  await redis.del('baton:worker-alive:patient', 'baton:worker-alive:quick');

  await waitFor(async () => ((await redisUptimeMs(redis)) ?? 0) >= 1_000, { what: 'Redis to be up a second', timeoutMs: 10_000 });
  const judged = await judgeWorkers(redis, ['beating', 'patient', 'quick']);
  assert.deepEqual([...judged].map(([name, s]) => [name, s.alive, s.host]), [['beating', true, 'h'], ['patient', true, 'h'], ['quick', false, 'h']]);

  // Just restarted: Redis has not been up for 'quick''s bound, so its missing key says nothing yet. (Restarted
  // again should the machine be so slow that the bound passed before the judgement was read.)
  await redis.del('baton:worker-alive:beating');
  const fresh = await waitFor(async () => {
    await server.restart();
    const judgement = await judgeWorkers(redis, ['beating', 'quick']).catch(() => undefined);
    const upMs = await redisUptimeMs(redis).catch(() => undefined);
    return judgement && upMs !== undefined && upMs < 1_000 ? judgement : undefined;
  }, { what: 'a judgement within a second of a restart', timeoutMs: 60_000 });
  assert.deepEqual([...fresh].map(([name, s]) => [name, s.alive]), [['beating', true], ['quick', true]]);
  await waitFor(async () => (await judgeWorkers(redis, ['quick'])).get('quick')?.alive === false, { what: 'quick to be judged lost a bound after the restart', timeoutMs: 10_000 });
  // The keys and the registry were persisted: 'patient' is still registered after the restarts.
  assert.equal((await judgeWorkers(redis, ['patient'])).get('patient')?.host, 'h');
});
