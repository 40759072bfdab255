import { test } from 'node:test';
import assert from 'node:assert/strict';
import { agentPid, livePidsInGroup, phasePrompt, startBatonSession } from './harness.js';
import { waitFor } from '../wait-for.js';

test('omo: a model answering HTTP 500 → failed with the API error in the reasons', async (t) => {
  const session = await startBatonSession(t, {
    // retry-after: 0 keeps the CLIs' six retries quick (without it they back off for over a minute).
    steps: [{ error: { status: 500, message: 'upstream exploded', retryAfterSeconds: 0 }, times: 1000 }],
  });
  const run = await session.cli(['run', '--json', '--model', session.sandbox.model, '--dir', session.repo, 'Anything']);
  assert.equal(run.code, 0, run.stderr);
  const waited = await session.cli(['wait', run.json.id, '--timeout', '55s', '--json']);
  assert.equal(waited.code, 1, `wait exits 1 for failed\n${waited.stdout}`);
  const status = waited.json.runs[0];
  assert.equal(status.state, 'failed');
  assert.ok(status.reasons.some((r: string) => /500/.test(r)), `reasons name the API error: ${JSON.stringify(status.reasons)}`);
});

test('omo: the agent killed from outside Baton → failed, saying so', async (t) => {
  const session = await startBatonSession(t, { steps: [{ hang: true }] });
  const run = await session.cli(['run', '--json', '--model', session.sandbox.model, '--dir', session.repo, 'Anything']);
  assert.equal(run.code, 0, run.stderr);
  // Killed once it is up and waiting on the model, as a user's kill would find it.
  // A run that ended before calling the model fails here with its status, not with a bare timeout.
  const ready = await waitFor(
    async () => {
      if (session.mock.requests().length > 0) return 'calling';
      const status = await session.cli(['status', run.json.id, '--json']);
      return ['queued', 'running', 'stalled'].includes(status.json?.state) ? undefined : JSON.stringify(status.json);
    },
    { what: 'the agent to call the model', timeoutMs: 90_000, intervalMs: 500 },
  );
  assert.equal(ready, 'calling', `the run ended before it called the model: ${ready}`);
  process.kill(await agentPid(session.cli, run.json.id), 'SIGKILL');
  const waited = await session.cli(['wait', run.json.id, '--timeout', '30s', '--json']);
  assert.equal(waited.code, 1);
  const status = waited.json.runs[0];
  assert.equal(status.state, 'failed');
  assert.match(status.reasons[0], /killed by SIGKILL from outside Baton/);
});

test('omo: a verification that failed the last time it ran → incomplete (the exit code comes from the session store)', async (t) => {
  const session = await startBatonSession(t, {
    steps: [
      { tools: [{ name: 'write', args: { filePath: '{{workdir}}/check.sh', content: 'exit 3\n' } }] },
      { tools: [{ name: 'bash', args: { command: 'sh check.sh', description: 'verify' } }] },
      { text: 'All good, I believe.' },
    ],
  });
  const launched = await session.cli(['run', '--json', '--agent', 'hephaestus', '--model', session.sandbox.model, '--dir', session.repo, phasePrompt(['check.sh'], 'sh check.sh')]);
  assert.equal(launched.code, 0, launched.stderr);
  const waited = await session.cli(['wait', launched.json.id, '--timeout', '50s', '--json']);
  assert.equal(waited.code, 3, JSON.stringify(waited.json));
  assert.deepEqual(waited.json.runs[0].reasons, ['verification "sh check.sh" failed (exit 3) the last time it ran']);
  assert.deepEqual(waited.json.runs[0].reasonDetails, [{ kind: 'verification-failed', command: 'sh check.sh', exitCode: 3 }]);
  assert.match(waited.json.runs[0].followUp, /run `sh check\.sh` and fix any errors/);
});

test('omo: --timeout kills the whole run and fails it, saying why', async (t) => {
  const session = await startBatonSession(t, { steps: [{ hang: true }] });
  const run = await session.cli(['run', '--json', '--timeout', '4s', '--model', session.sandbox.model, '--dir', session.repo, 'Anything']);
  assert.equal(run.code, 0, run.stderr);
  const pid = await agentPid(session.cli, run.json.id);
  const waited = await session.cli(['wait', run.json.id, '--timeout', '40s', '--json']);
  assert.equal(waited.code, 1);
  assert.equal(waited.json.runs[0].state, 'failed');
  assert.equal(waited.json.runs[0].reasons[0], 'timed out after 4s (--timeout)');
  // The bound is data, not only a sentence.
  assert.deepEqual(waited.json.runs[0].reasonDetails[0], { kind: 'timeout', boundMs: 4_000 });
  assert.deepEqual(livePidsInGroup(pid), []);
});

test('wait --timeout returns 124 while the run goes on', async (t) => {
  const session = await startBatonSession(t, { steps: [{ hang: true }] });
  const run = await session.cli(['run', '--json', '--model', session.sandbox.model, '--dir', session.repo, 'Anything']);
  const waited = await session.cli(['wait', run.json.id, '--timeout', '1s', '--json']);
  assert.equal(waited.code, 124);
  assert.equal(waited.json.timedOut, true);
  assert.match(waited.json.runs[0].state, /^(running|stalled)$/);
});
