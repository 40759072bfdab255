import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { BIN_DIR, makeGitRepo, makeTempDir } from '../mock-model/agent-harness.js';
import { startBatonSession } from './harness.js';
import { stripAnsi } from '../../src/text.js';

const SERVER_DELAY_S = 6;

test('omo runs complete on a saturated machine whose opencode server takes longer than oh-my-opencode\'s 5 s to start', { timeout: 600_000 }, async (t) => {
  const session = await startBatonSession(t, { steps: [{ text: 'Done: nothing to change.', times: 100 }] });
  // Busy loops, two per core, for the whole test: every process here competes for the CPU.
  const hogs = Array.from({ length: availableParallelism() * 2 }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
  t.after(() => {
    for (const hog of hogs) hog.kill('SIGKILL');
  });
  // Load alone may not push the server past 5 s, so its start is also delayed for real: this opencode
  // sleeps before it becomes the real one. oh-my-opencode starting its own server would give up on it.
  const tools = await makeTempDir('baton-slow-opencode-');
  const slowOpencode = join(tools, 'opencode');
  writeFileSync(slowOpencode, `#!/bin/sh\nsleep ${SERVER_DELAY_S}\nexec '${join(BIN_DIR, 'opencode')}' "$@"\n`);
  chmodSync(slowOpencode, 0o755);
  const repos = await Promise.all([makeGitRepo(), makeGitRepo()]);
  t.after(() => Promise.all([tools, ...repos].map((dir) => rm(dir, { recursive: true, force: true }))));

  const env = { BATON_OPENCODE_BIN: slowOpencode };
  const launched = await Promise.all(
    repos.map((repo) =>
      session.cli(['run', '--json', '--agent', 'hephaestus', '--model', session.sandbox.model, '--dir', repo, 'Say that you are done.'], { env, timeoutMs: 120_000 }),
    ),
  );
  for (const run of launched) assert.equal(run.code, 0, run.stderr);
  const waited = await Promise.all(launched.map((run) => session.cli(['wait', run.json.id, '--timeout', '400s', '--json'], { env, timeoutMs: 420_000 })));
  for (const [i, wait] of waited.entries()) {
    const run = wait.json.runs[0];
    assert.equal(run.state, 'completed', JSON.stringify(run.reasons));
    // Text, not escapes: oh-my-opencode colours its words when it thinks it is in CI (CI=true).
    const log = stripAnsi(readFileSync(launched[i]!.json.log, 'utf8'));
    assert.match(log, /\[baton\] the opencode server answered after/);
    // What this test is about: never oh-my-opencode's own 5 s server start. (A port taken between Baton
    // choosing it and the server binding it still ends that attempt, and the retry is the remedy.)
    assert.doesNotMatch(log, /did not start within the 5 s|Timeout waiting for server to start/i, 'no attempt failed on oh-my-opencode\'s 5 s limit');
    assert.match(log, /Port \d+ is occupied, attaching to existing server/, 'oh-my-opencode attached to Baton\'s server');
    assert.ok(existsSync(join(session.home, 'runs', run.id, 'server.log')), 'the server wrote to its own file');
    assert.doesNotMatch(log, /opencode server listening/, 'and not to the run\'s log');
  }
});
