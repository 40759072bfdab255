import assert from 'node:assert/strict';
import { readFile, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { omoRunner } from '../../src/runners/omo.js';
import { START_ATTEMPTS } from '../../src/supervise/supervisor.js';
import { freePort, runAgent, type AgentRun } from './agent-harness.js';
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

  // oh-my-opencode gives its own opencode server a fixed 5 s to start, which a loaded machine can
  // miss before any model request is made; Baton relaunches such a start (omoRunner's
  // transientStartFailure), and so does this test, up to the same number of tries.
  let run: AgentRun;
  for (let attempt = 1; ; attempt++) {
    // Always a free port: with the default (4096) parallel runs attach to each other's server.
    const port = await freePort();
    const args = ['run', '--agent', 'hephaestus', '--port', String(port), '--directory', repo, '--model', sandbox.model];
    run = await runAgent('oh-my-opencode', [...args, TRICKY_PROMPT], { cwd: repo, env: sandbox.env, timeoutMs: 45_000 });
    const startFailed = run.exitCode !== 0 && omoRunner.transientStartFailure?.([run.stdout, run.stderr]) && mock.requests().length === 0;
    if (!startFailed || attempt === START_ATTEMPTS) break;
  }
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
