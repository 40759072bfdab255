import { test } from 'node:test';
import assert from 'node:assert/strict';
import { phasePrompt, startBatonSession } from './harness.js';

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
