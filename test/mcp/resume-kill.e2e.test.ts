import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { agentPid, livePidsInGroup, runCli } from '../e2e/harness.js';
import { phasePrompt, startMcpSession, textOf, waitUntilDone } from './harness.js';

test('an incomplete run is resumed in the same session through the resume tool', async (t) => {
  const session = await startMcpSession(t, {
    steps: [
      { tools: [{ name: 'write', args: { filePath: '{{workdir}}/a.txt', content: 'a\n' } }] },
      { text: 'I created a.txt.' },
      { tools: [{ name: 'write', args: { filePath: '{{workdir}}/b.txt', content: 'b\n' } }] },
      { text: 'Now b.txt exists too.' },
    ],
  });
  const first = await session.call('run', { runner: 'opencode', model: session.model, dir: session.repo, prompt: phasePrompt(['a.txt', 'b.txt']) });
  const firstId: string = first.structuredContent.id;
  const waited = await waitUntilDone(session, [firstId], 20);
  const incomplete = waited.result.structuredContent.runs[0];
  assert.equal(incomplete.state, 'incomplete');
  assert.deepEqual(incomplete.reasons, ['missing file b.txt']);
  assert.match(incomplete.next, /^resume /);

  const resumed = await session.call('resume', { id: firstId });
  assert.equal(resumed.isError, undefined, textOf(resumed));
  assert.equal(resumed.structuredContent.parentId, firstId);
  assert.equal(resumed.structuredContent.sessionId, incomplete.sessionId);
  // Written from the structured reason (missing-file b.txt), not from its words.
  assert.equal(resumed.structuredContent.prompt, 'Continue. You created a.txt but still need: (1) create b.txt');
  const done = await waitUntilDone(session, [resumed.structuredContent.id], 20);
  const final = done.result.structuredContent.runs[0];
  assert.equal(final.state, 'completed', JSON.stringify(final.reasons));
  assert.equal(final.sessionId, incomplete.sessionId);
  assert.ok(existsSync(join(session.repo, 'b.txt')));
});

test('a hanging run is killed with nothing left behind; a second kill says it had ended', async (t) => {
  const session = await startMcpSession(t, { steps: [{ hang: true }] });
  const launched = await session.call('run', { runner: 'opencode', model: session.model, dir: session.repo, prompt: 'Do something slow' });
  const id: string = launched.structuredContent.id;
  const pid = await agentPid((args) => runCli(args, session.env), id);
  const waited = await session.call('wait', { ids: [id], timeoutSeconds: 2 });
  assert.equal(waited.structuredContent, undefined);
  assert.match(textOf(waited), new RegExp(`^not done: ${id} running`));
  const killed = await session.call('kill', { id, graceSeconds: 2 });
  assert.equal(killed.isError, undefined, textOf(killed));
  assert.equal(killed.structuredContent.state, 'killed');
  assert.deepEqual(killed.structuredContent.survivors, []);
  assert.deepEqual(livePidsInGroup(pid), []);
  const again = await session.call('kill', { id });
  assert.equal(again.structuredContent.alreadyEnded, true);
  const status = await session.call('status', { ids: [id] });
  assert.match(textOf(status), /killed by baton kill/);
});
