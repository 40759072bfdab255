import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectRedis } from '../../src/cluster/connection.js';
import { cancelUnclaimed, claimRun } from '../../src/cluster/run-state.js';
import { startRedis } from './harness.js';

test('under contention, exactly one worker claims a run; a run the lead cancelled first is claimed by none', async (t) => {
  const redis = await startRedis(t);
  const clients = await Promise.all(Array.from({ length: 8 }, () => connectRedis(redis.url, {})));
  t.after(() => clients.forEach((client) => client.disconnect()));
  for (let round = 0; round < 5; round++) {
    const runId = `run${round}`;
    const claims = await Promise.all(clients.map((client, i) => claimRun(client, runId, `w${i}`, 'host')));
    assert.equal(claims.filter(Boolean).length, 1, `one claim of ${runId} won`);
    const winner = claims.indexOf(true);
    assert.equal(await clients[0]!.hget(`baton:run:${runId}`, 'worker'), `w${winner}`);
    assert.equal(await cancelUnclaimed(clients[0]!, runId), false, 'too late to cancel a claimed run');
  }
  assert.equal(await cancelUnclaimed(clients[0]!, 'early'), true);
  const late = await Promise.all(clients.map((client, i) => claimRun(client, 'early', `w${i}`, 'host')));
  assert.deepEqual(late.filter(Boolean), []);
});
