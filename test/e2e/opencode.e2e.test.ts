import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { phasePrompt, startBatonSession } from './harness.js';

test('opencode: run → wait → completed with tokens, files and the verification seen', async (t) => {
  const session = await startBatonSession(
    t,
    {
      steps: [
        { tools: [{ name: 'write', args: { filePath: '{{workdir}}/notes.md', content: '# notes\n' } }] },
        { tools: [{ name: 'bash', args: { command: 'grep -q notes notes.md', description: 'check' } }] },
        { text: 'Wrote notes.md.' },
      ],
    },
    { ohMyOpencode: false },
  );
  const run = await session.cli(['run', '--json', '--runner', 'opencode', '--model', session.sandbox.model, '--dir', session.repo, '--prompt-file', '/dev/stdin'], {});
  // --prompt-file /dev/stdin with no stdin reads nothing: that must be refused as an empty prompt.
  assert.equal(run.code, 2, run.stdout + run.stderr);
  const prompt = phasePrompt(['notes.md'], 'grep -q notes notes.md');
  const launched = await session.cli(['run', '--json', '--runner', 'opencode', '--model', session.sandbox.model, '--dir', session.repo, prompt]);
  assert.equal(launched.code, 0, launched.stderr);
  const waited = await session.cli(['wait', launched.json.id, '--timeout', '50s', '--json']);
  const status = waited.json.runs[0];
  assert.equal(waited.code, 0, JSON.stringify(status.reasons));
  assert.equal(status.state, 'completed');
  assert.match(status.sessionId, /^ses_/);
  assert.deepEqual(status.filesChanged, ['notes.md']);
  assert.ok(status.tokens.input > 0 && status.tokens.output > 0, 'tokens reported by step_finish are summed');
  assert.equal(status.commands.at(-1).exitCode, 0);
});

test('opencode: a verification that fails the last time it ran → incomplete, naming it', async (t) => {
  const session = await startBatonSession(
    t,
    {
      steps: [
        { tools: [{ name: 'write', args: { filePath: '{{workdir}}/notes.md', content: 'x\n' } }] },
        { tools: [{ name: 'bash', args: { command: 'grep -q notes notes.md', description: 'check' } }] },
        { text: 'Done, I think.' },
      ],
    },
    { ohMyOpencode: false },
  );
  const launched = await session.cli(['run', '--json', '--runner', 'opencode', '--model', session.sandbox.model, '--dir', session.repo, phasePrompt(['notes.md'], 'grep -q notes notes.md')]);
  assert.equal(launched.code, 0, launched.stderr);
  const waited = await session.cli(['wait', launched.json.id, '--timeout', '50s', '--json']);
  assert.equal(waited.code, 3);
  assert.deepEqual(waited.json.runs[0].reasons, ['verification "grep -q notes notes.md" failed (exit 1) the last time it ran']);
});
