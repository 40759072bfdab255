import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectRedis } from '../../src/cluster/connection.js';
import { CLUSTER_KEYS } from '../../src/cluster/keys.js';
import { putBackUnstarted, stillClaimedBy, takeOverFromLost } from '../../src/cluster/put-back.js';
import type { RunRecord } from '../../src/store/runs.js';
import { startRedis } from './harness.js';

test('a lost worker\'s unstarted claim is taken over by exactly one worker under contention; a started run, a live holder or a resume is never taken', async (t) => {
  const redis = await startRedis(t);
  const clients = await Promise.all(Array.from({ length: 8 }, () => connectRedis(redis.url, {})));
  t.after(() => clients.forEach((client) => client.disconnect()));
  const [lead] = clients as [Awaited<ReturnType<typeof connectRedis>>];
  for (let round = 0; round < 5; round++) {
    const runId = `run${round}`;
    await lead.hset(CLUSTER_KEYS.run(runId), { state: 'queued', worker: 'gone' });
    const takes = await Promise.all(clients.map((client, i) => takeOverFromLost(client, runId, `w${i}`, 'host')));
    assert.equal(takes.filter(Boolean).length, 1, `one take-over of ${runId} won`);
    const winner = `w${takes.indexOf(true)}`;
    assert.equal(await stillClaimedBy(lead, runId, winner), true);
    assert.equal(await stillClaimedBy(lead, runId, 'gone'), false);
    assert.equal(await lead.hget(CLUSTER_KEYS.run(runId), 'putBackFrom'), 'gone');
  }

  await lead.hset(CLUSTER_KEYS.run('started'), { state: 'running', worker: 'gone' });
  await lead.hset(CLUSTER_KEYS.run('alive'), { state: 'queued', worker: 'busy' });
  await lead.set(CLUSTER_KEYS.alive('busy'), '{}', 'PX', 60_000);
  await lead.hset(CLUSTER_KEYS.run('cancelled'), { state: 'killed', worker: '(cancelled)' });
  for (const runId of ['started', 'alive', 'cancelled']) {
    assert.equal(await takeOverFromLost(clients[1]!, runId, 'w1', 'host'), false, `${runId} is not taken over`);
  }
  // The lead's put-back refuses the same: only a lost holder's run still queued goes back.
  const record = (id: string) => ({ id, runner: 'cmd' }) as RunRecord;
  assert.equal(await putBackUnstarted(lead, record('started'), 'gone'), false);
  assert.equal(await putBackUnstarted(lead, record('alive'), 'busy'), false);
  await lead.hset(CLUSTER_KEYS.run('resume'), { state: 'queued', worker: 'gone', target: 'gone' });
  assert.equal(await putBackUnstarted(lead, record('resume'), 'gone'), false, 'a resume needs its own worker');
  assert.equal(await lead.hget(CLUSTER_KEYS.run('started'), 'worker'), 'gone', 'nothing released');
});
