import assert from 'node:assert/strict';
import { readFile, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { freePort, runAgent } from './agent-harness.js';
import {
  describeRun,
  startScriptedSession,
  TRICKY_PROMPT,
  warmSharedXdgDir,
  WRITTEN_CONTENT,
  WRITTEN_FILE,
} from './scripted-session.js';

before(warmSharedXdgDir, { timeout: 120_000 });

test('real `oh-my-opencode run --agent hephaestus` follows the script', { timeout: 60_000 }, async (t) => {
  const { mock, repo, sandbox } = await startScriptedSession(t, { ohMyOpencode: true });

  // Always a free port: with the default (4096) parallel runs attach to each other's server.
  const port = await freePort();
  const args = ['run', '--agent', 'hephaestus', '--port', String(port), '--directory', repo, '--model', sandbox.model];
  const run = await runAgent('oh-my-opencode', [...args, TRICKY_PROMPT], { cwd: repo, env: sandbox.env, timeoutMs: 45_000 });
  assert.equal(run.exitCode, 0, describeRun(run));

  assert.equal(await readFile(join(repo, WRITTEN_FILE), 'utf8'), WRITTEN_CONTENT);

  const agent = mock.requests().filter((request) => request.hasTools);
  assert.deepEqual(
    agent.map((request) => [request.answeredBy, request.stepIndex]),
    [
      ['step', 0],
      ['step', 1],
    ],
  );
  for (const request of agent) assert.equal(request.lastUserText, TRICKY_PROMPT);
  assert.equal(agent[0]?.workdir, await realpath(repo));
  // The plugin is loaded: oh-my-opencode's own tools are offered next to opencode's.
  assert.ok(agent[0]?.toolNames.includes('write'));
  assert.ok(agent[0]?.toolNames.includes('lsp_diagnostics'), agent[0]?.toolNames.join(' '));

  assert.match(run.stdout, /Hephaestus/, 'the hephaestus agent ran (not swapped for sisyphus)');
  assert.match(run.stdout, /All tasks completed\./);
});
