import { test } from 'node:test';
import assert from 'node:assert/strict';
import { livePidsInGroup, startBatonSession } from './harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('omo: a hanging model → stalled → baton kill leaves no process of the group', async (t) => {
  const session = await startBatonSession(t, { steps: [{ hang: true }] });
  const run = await session.cli(['run', '--json', '--stall-after', '2s', '--model', session.sandbox.model, '--dir', session.repo, 'Do something slow']);
  assert.equal(run.code, 0, run.stderr);
  let status: any;
  const deadline = Date.now() + 45_000;
  do {
    await sleep(500);
    status = (await session.cli(['status', run.json.id, '--json'])).json;
  } while (status.state !== 'stalled' && Date.now() < deadline);
  assert.equal(status.state, 'stalled', `never stalled: ${JSON.stringify(status)}`);
  assert.match(status.reasons[0], /^no output for \d+s \(stall-after 2s\)$/);
  const pgid = status.pid as number;
  assert.ok(livePidsInGroup(pgid).length >= 2, 'oh-my-opencode and its opencode server are running');

  const killed = await session.cli(['kill', run.json.id, '--json']);
  assert.equal(killed.code, 0, killed.stderr);
  assert.equal(killed.json.state, 'killed');
  assert.deepEqual(killed.json.survivors, []);
  assert.deepEqual(livePidsInGroup(pgid), [], 'no process of the group is left');
  const after = (await session.cli(['status', run.json.id, '--json'])).json;
  assert.equal(after.state, 'killed');
  assert.deepEqual(after.reasons, ['killed by baton kill']);
  const waited = await session.cli(['wait', run.json.id]);
  assert.equal(waited.code, 1, 'wait exits 1 for killed');
});
