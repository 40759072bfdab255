import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { phasePrompt, startBatonSession } from './harness.js';

test('omo: exit 0 with a listed file missing → incomplete → resume without a prompt → completed in the same session', async (t) => {
  const session = await startBatonSession(t, {
    steps: [
      // First run: writes one of the two files, then stops as if it were done.
      { tools: [{ name: 'write', args: { filePath: '{{workdir}}/src/a.ts', content: 'export const a = 1;\n' } }] },
      { text: 'I created src/a.ts.' },
      // The resumed run: writes the missing file, then finishes.
      { tools: [{ name: 'write', args: { filePath: '{{workdir}}/src/b.ts', content: 'export const b = 2;\n' } }] },
      { text: 'Now src/b.ts exists too.' },
    ],
  });
  const prompt = phasePrompt(['src/a.ts', 'src/b.ts']);
  const first = await session.cli(['run', '--json', '--agent', 'hephaestus', '--model', session.sandbox.model, '--dir', session.repo, prompt]);
  assert.equal(first.code, 0, first.stderr);
  const waited = await session.cli(['wait', first.json.id, '--timeout', '50s']);
  assert.equal(waited.code, 3, `wait exits 3 for incomplete\n${waited.stdout}`);
  const incomplete = (await session.cli(['status', first.json.id, '--json'])).json;
  assert.equal(incomplete.state, 'incomplete');
  assert.deepEqual(incomplete.reasons, ['missing file src/b.ts']);
  assert.match(incomplete.followUp, /^Continue\. You created .*src\/a\.ts but still need: \(1\) create src\/b\.ts/);

  const resumed = await session.cli(['resume', first.json.id, '--json']);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.equal(resumed.json.parentId, first.json.id);
  assert.equal(resumed.json.sessionId, incomplete.sessionId);
  const done = await session.cli(['wait', resumed.json.id, '--timeout', '50s']);
  assert.equal(done.code, 0, done.stdout);
  const final = (await session.cli(['status', resumed.json.id, '--json'])).json;
  assert.equal(final.state, 'completed', JSON.stringify(final.reasons));
  assert.equal(final.sessionId, incomplete.sessionId, 'the resumed run continues the same agent session');
  assert.ok(existsSync(join(session.repo, 'src/b.ts')));

  // What the model received for the resumed turn is Baton's targeted follow-up, naming the file.
  const followUps = session.mock.requests().filter((r) => r.hasTools && r.lastUserText?.startsWith('Continue.'));
  assert.ok(followUps.length > 0, 'the model received the follow-up');
  assert.match(followUps[0]!.lastUserText!, /create src\/b\.ts/);
});
