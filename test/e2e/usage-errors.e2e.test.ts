import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './harness.js';

function freshEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, BATON_HOME: mkdtempSync(join(tmpdir(), 'baton-usage-')), NO_COLOR: '1', ...extra };
}

async function assertNothingStarted(env: NodeJS.ProcessEnv): Promise<void> {
  const list = await runCli(['list', '--json'], env);
  assert.deepEqual(list.json, [], 'no run was recorded');
}

test('a missing runner binary is a clear usage error and starts nothing', async () => {
  const env = freshEnv({ BATON_OH_MY_OPENCODE_BIN: '/nonexistent/oh-my-opencode' });
  const result = await runCli(['run', '--dir', tmpdir(), 'hello'], env);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /runner binary "oh-my-opencode" not found at \/nonexistent\/oh-my-opencode/);
  await assertNothingStarted(env);
});

test('a missing dir, an empty prompt and an unknown runner exit 2 and start nothing', async () => {
  const env = freshEnv();
  const missingDir = await runCli(['run', '--dir', '/no/such/dir', 'hello'], env);
  assert.equal(missingDir.code, 2);
  assert.match(missingDir.stderr, /--dir: \/no\/such\/dir does not exist/);
  const empty = await runCli(['run', '--dir', tmpdir(), '  \n'], env);
  assert.equal(empty.code, 2);
  assert.match(empty.stderr, /the prompt is empty/);
  const noPrompt = await runCli(['run', '--dir', tmpdir()], env);
  assert.equal(noPrompt.code, 2);
  const runner = await runCli(['run', '--runner', 'nope', '--dir', tmpdir(), 'x'], env);
  assert.equal(runner.code, 2);
  assert.match(runner.stderr, /unknown runner "nope"; known runners: omo, opencode/);
  // The demo checks names with the same library check, then offers the runners whose adapters have demo facts.
  const demoRunner = await runCli(['demo', '--runner', 'nope'], env);
  assert.equal(demoRunner.code, 2);
  assert.match(demoRunner.stderr, /unknown runner "nope"; known runners: omo, opencode/);
  const noDemo = await runCli(['demo', '--runner', 'claude'], env);
  assert.equal(noDemo.code, 2);
  assert.match(noDemo.stderr, /the demo runs omo or opencode, not "claude"/);
  const duration = await runCli(['run', '--stall-after', 'soon', '--dir', tmpdir(), 'x'], env);
  assert.equal(duration.code, 2);
  assert.match(duration.stderr, /--stall-after: "soon" is not a duration/);
  await assertNothingStarted(env);
});

test('with --json, errors are one JSON document on stdout too', async () => {
  const env = freshEnv();
  const result = await runCli(['run', '--json', '--dir', '/no/such/dir', 'x'], env);
  assert.equal(result.code, 2);
  assert.deepEqual(result.json, { error: { kind: 'usage', field: 'dir', message: '--dir: /no/such/dir does not exist' } });
  const unknownId = await runCli(['status', 'zzzz', '--json'], env);
  assert.equal(unknownId.code, 2);
  assert.equal(unknownId.json.error.kind, 'not-found');
  const badFlag = await runCli(['list', '--bogus', '--json'], env);
  assert.equal(badFlag.code, 2);
  assert.equal(badFlag.json.error.kind, 'usage');
});

test('help teaches: every command has --help with usage and examples', async () => {
  const env = freshEnv();
  const top = await runCli(['--help'], env);
  assert.equal(top.code, 0);
  for (const command of ['run', 'status', 'wait', 'tail', 'list', 'kill', 'resume', 'export', 'diff', 'prompt', 'plan', 'route', 'init', 'mcp', 'mock-model', 'demo']) {
    assert.match(top.stdout, new RegExp(`\\n  ${command} `));
    const help = await runCli([command, '--help'], env);
    assert.equal(help.code, 0, command);
    assert.match(help.stdout, new RegExp(`^Usage: baton ${command}`));
  }
  const none = await runCli([], env);
  assert.equal(none.code, 2, 'no command is a usage error');
});

test('status with no runs says how to start', async () => {
  const result = await runCli(['status'], freshEnv());
  assert.equal(result.code, 0);
  assert.match(result.stdout, /no runs yet/);
});
