import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { makeGitRepo, makeTempDir } from '../mock-model/agent-harness.js';
import { runCli } from '../e2e/harness.js';

// What baton run --help promises: a prompt that starts with "-" goes after --, and reaches the agent as it is.
test('a prompt starting with "-" goes after -- and reaches the agent verbatim; before --, it is refused and nothing starts', async (t) => {
  const repo = await makeGitRepo();
  const root = await makeTempDir('baton-dash-prompt-');
  t.after(() => Promise.all([rm(repo, { recursive: true, force: true }), rm(root, { recursive: true, force: true })]));
  const env = { ...process.env, BATON_HOME: join(root, 'home'), NO_COLOR: '1' };
  const agent = ['--runner', 'cmd', '--runner-option', 'command=printf [%s] {prompt}', '--dir', repo];

  const help = await runCli(['run', '--help'], env);
  assert.match(help.stdout, /A prompt that starts with "-" goes after --/);
  assert.match(help.stdout, /baton run \[options\] \[--\] PROMPT/);

  const refused = await runCli(['run', ...agent, '-x literally'], env);
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /unknown option -x \(in "-x literally"\).*goes after --, as in: baton run \[options\] -- "-x literally"/);
  const none = await runCli(['list', '--json'], env);
  assert.deepEqual(none.json, [], 'nothing was recorded');

  const launched = await runCli(['run', '--json', ...agent, '--', '-x literally'], env);
  assert.equal(launched.code, 0, launched.stderr);
  const id = (launched.json as { id: string }).id;
  t.after(async () => void (await runCli(['kill', id, '--grace', '1s'], env, 30_000)));
  const ended = await runCli(['wait', id, '--timeout', '60s', '--json'], env);
  assert.equal(ended.code, 0, ended.stdout + ended.stderr);
  const tail = await runCli(['tail', id, '--json'], env);
  assert.deepEqual((tail.json as { lines: string[] }).lines, ['[-x literally]']);
});
