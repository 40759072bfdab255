import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startBatonSession } from './harness.js';

const TRICKY =
  'Keep "double" and \'single\' quotes, $(echo not-run), `backticks`, $HOME, \\backslash,\n' +
  'ünïcödé, 日本語, emoji 🎉 — and a second line.\n--looks-like-a-flag\n';

for (const runner of ['omo', 'opencode'] as const) {
  test(`${runner}: a prompt with quotes, $(…), backticks, non-ASCII and newlines reaches the model byte for byte`, async (t) => {
    const session = await startBatonSession(t, { steps: [{ text: 'Noted.' }] }, { ohMyOpencode: runner === 'omo' });
    const run = await session.cli(['run', '--json', '--runner', runner, '--model', session.sandbox.model, '--dir', session.repo, TRICKY]);
    assert.equal(run.code, 0, run.stderr);
    const waited = await session.cli(['wait', run.json.id, '--timeout', '50s', '--json']);
    assert.equal(waited.json.runs[0].state, 'completed', JSON.stringify(waited.json.runs[0].reasons));
    const agentRequests = session.mock.requests().filter((r) => r.hasTools);
    assert.ok(agentRequests.length > 0);
    assert.equal(agentRequests[0]!.lastUserText, TRICKY);
  });
}
