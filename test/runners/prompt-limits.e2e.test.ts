import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../e2e/harness.js';
import { makeGitRepo, makeTempDir } from '../mock-model/agent-harness.js';

const BIG = 'x'.repeat(200 * 1024);

async function session(t: import('node:test').TestContext) {
  const repo = await makeGitRepo();
  const root = await makeTempDir('baton-prompts-');
  t.after(() => Promise.all([rm(repo, { recursive: true, force: true }), rm(root, { recursive: true, force: true })]));
  const home = join(root, 'home');
  const env: NodeJS.ProcessEnv = { ...process.env, BATON_HOME: home, NO_COLOR: '1' };
  const runs = async () => (await runCli(['list', '--json'], env)).json as { id: string }[];
  const runDirs = () => (existsSync(join(home, 'runs')) ? readdirSync(join(home, 'runs')) : []);
  return { repo, root, home, env, runs, runDirs, cli: (args: string[]) => runCli(args, env) };
}

test('a prompt with a NUL byte: exit 2 naming it, no binary on stderr, nothing recorded', async (t) => {
  const s = await session(t);
  const file = join(s.root, 'prompt.bin');
  writeFileSync(file, Buffer.from('write a file\0\x01\x02\xff binary tail'));
  const result = await s.cli(['run', '--runner', 'cmd', '--runner-option', 'command=cat', '--runner-option', 'input=stdin', '--dir', s.repo, '--prompt-file', file]);
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /NUL byte/);
  assert.ok(!/[\0\x01\x02]/.test(result.stderr), 'no binary dumped to stderr');
  assert.deepEqual(await s.runs(), []);
  assert.deepEqual(s.runDirs(), []);
});

test('a 200 KiB prompt on an argv-only runner (oh-my-opencode, cmd with {prompt}): exit 2 naming the limit, nothing recorded', async (t) => {
  const s = await session(t);
  const file = join(s.root, 'big.txt');
  writeFileSync(file, BIG);
  for (const runnerArgs of [['--runner', 'omo'], ['--runner', 'cmd', '--runner-option', 'command=echo {prompt}']]) {
    const result = await s.cli(['run', ...runnerArgs, '--dir', s.repo, '--prompt-file', file]);
    assert.equal(result.code, 2, `${runnerArgs.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, /204800 bytes.*limited to 100000 bytes/);
  }
  assert.deepEqual(await s.runs(), []);
  assert.deepEqual(s.runDirs(), []);
});

test('a resume follow-up too long for an argv-only runner is refused the same way; the parent stays the only run', async (t) => {
  const s = await session(t);
  const started = await s.cli([
    'run', '--json', '--runner', 'cmd',
    '--runner-option', 'command=sh -c {prompt}',
    '--runner-option', 'resumeCommand=sh -c {prompt}',
    '--runner-option', 'session=session=(\\w+)',
    '--dir', s.repo, 'echo session=abc123',
  ]);
  assert.equal(started.code, 0, started.stderr);
  const waited = await runCli(['wait', started.json.id, '--timeout', '60s', '--json'], s.env, 70_000);
  assert.equal(waited.json.runs[0].sessionId, 'abc123', JSON.stringify(waited.json));
  const file = join(s.root, 'follow-up.txt');
  writeFileSync(file, BIG);
  const resumed = await s.cli(['resume', started.json.id, '--prompt-file', file]);
  assert.equal(resumed.code, 2, resumed.stderr);
  assert.match(resumed.stderr, /limited to 100000 bytes/);
  assert.deepEqual((await s.runs()).map((r) => r.id), [started.json.id]);
  assert.deepEqual(s.runDirs(), [started.json.id]);
});

test('a prompt that fits one argument but not beside a large environment (ARG_MAX): exit 2, nothing recorded', async (t) => {
  const s = await session(t);
  const file = join(s.root, 'prompt.txt');
  writeFileSync(file, 'y'.repeat(90_000));
  // 2 MB of environment, in strings under the 128 KiB each one may hold.
  const bulk = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`BATON_TEST_BULK_${i}`, 'z'.repeat(125_000)]));
  const result = await runCli(['run', '--runner', 'cmd', '--runner-option', 'command=echo {prompt}', '--dir', s.repo, '--prompt-file', file], { ...s.env, ...bulk });
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /ARG_MAX/);
  assert.deepEqual(await s.runs(), []);
});
