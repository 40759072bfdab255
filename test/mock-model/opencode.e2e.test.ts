import assert from 'node:assert/strict';
import { readFile, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { runAgent } from './agent-harness.js';
import {
  describeRun,
  startScriptedSession,
  TRICKY_PROMPT,
  warmSharedXdgDir,
  WRITTEN_CONTENT,
  WRITTEN_FILE,
} from './scripted-session.js';

before(warmSharedXdgDir, { timeout: 120_000 });

test('real `opencode run --format json` follows the script', { timeout: 60_000 }, async (t) => {
  const { mock, repo, sandbox } = await startScriptedSession(t, { ohMyOpencode: false });

  // The prompt goes in on stdin: as an argv message opencode would wrap it in quotes.
  const run = await runAgent('opencode', ['run', '--format', 'json', '--model', sandbox.model], {
    cwd: repo,
    env: sandbox.env,
    stdin: TRICKY_PROMPT,
    timeoutMs: 45_000,
  });
  assert.equal(run.exitCode, 0, describeRun(run));

  assert.equal(await readFile(join(repo, WRITTEN_FILE), 'utf8'), WRITTEN_CONTENT);

  const requests = mock.requests();
  const title = requests.filter((request) => request.answeredBy === 'title');
  const agent = requests.filter((request) => request.hasTools);
  assert.equal(title.length, 1, 'opencode asks for a session title once');
  assert.deepEqual(
    agent.map((request) => [request.answeredBy, request.stepIndex]),
    [
      ['step', 0],
      ['step', 1],
    ],
  );
  for (const request of [...title, ...agent]) assert.equal(request.lastUserText, TRICKY_PROMPT);
  assert.equal(agent[0]?.workdir, await realpath(repo));
  for (const name of ['bash', 'edit', 'read', 'write']) assert.ok(agent[0]?.toolNames.includes(name), name);

  // opencode's own event stream shows the scripted tool call and the final text.
  const events = run.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { type: string; part: { tool?: string; text?: string } });
  assert.ok(events.some((event) => event.type === 'tool_use' && event.part.tool === 'write'));
  assert.ok(events.some((event) => event.type === 'text' && event.part.text?.startsWith('All done')));
});
