import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WorkerGoneError } from '../../src/cluster/worker-gone.js';
import { BatonError } from '../../src/errors.js';
import { lostWorkerFrom, lostWorkerOf, MAX_REDISPATCHES, redispatchBound, redispatchesOf, redispatchNote, redispatchPrompt } from '../../src/plans/redispatch.js';

const lostReason = { kind: 'worker-lost' as const, worker: 'w2', host: 'box', lastSeenAt: Date.parse('2026-12-01T06:00:00.000Z') };

test('a run is lost with its worker only when it failed with the worker-lost reason', () => {
  assert.deepEqual(lostWorkerOf({ id: 'r1', state: 'failed', reasonDetails: [lostReason] }), { runId: 'r1', worker: 'w2', host: 'box', lastSeenAt: lostReason.lastSeenAt });
  assert.equal(lostWorkerOf({ id: 'r1', state: 'failed', reasonDetails: [{ kind: 'exit-code', code: 1 }] }), null);
  assert.equal(lostWorkerOf({ id: 'r1', state: 'completed', reasonDetails: [] }), null);
});

test('a resume refused because the worker is gone names that worker; any other error is not a lost worker', () => {
  const gone = new WorkerGoneError('w3', { alive: false, host: 'far', lastSeenAt: 1_000 }, 'cannot resume run r9');
  assert.deepEqual(lostWorkerFrom(gone, 'r9'), { runId: 'r9', worker: 'w3', host: 'far', lastSeenAt: 1_000 });
  assert.equal(lostWorkerFrom(new BatonError('conflict', 'run r9 is still running'), 'r9'), null);
});

test('the note names the worker, its host, the run and when it was last seen; the prompt keeps the phase\'s own and says an attempt was lost', () => {
  const lost = lostWorkerOf({ id: 'r1', state: 'failed', reasonDetails: [lostReason] })!;
  assert.equal(redispatchNote(lost), 'worker w2 on box was lost during run r1 (last seen 2026-12-01T06:00:00.000Z); restarted cold on another worker');
  assert.equal(redispatchNote({ ...lost, host: null, lastSeenAt: null }), 'worker w2 was lost during run r1 (never seen); restarted cold on another worker');
  const prompt = redispatchPrompt('Write a.txt', 'Fix these errors: x');
  assert.ok(prompt.startsWith('Write a.txt\n\n'));
  assert.match(prompt, /earlier attempt at this task was lost/);
  assert.ok(prompt.endsWith('\n\nFix these errors: x'));
  assert.match(redispatchBound(lost, MAX_REDISPATCHES), new RegExp(`lost ${MAX_REDISPATCHES + 1} cluster workers .*worker w2 on box was lost during run r1 \\(last seen [^)]+\\)\\); not re-dispatched again`));
});

test('re-dispatches are counted from the phase\'s attempts', () => {
  assert.equal(redispatchesOf({ attempts: [{ runId: 'a', kind: 'launch' }, { runId: 'b', kind: 'redispatch', note: 'x' }, { runId: 'c', kind: 'resume' }, { runId: 'd', kind: 'redispatch', note: 'y' }] }), 2);
});
