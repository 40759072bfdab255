import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { makeGitRepo, makeTempDir } from '../mock-model/agent-harness.js';
import { runCli } from '../e2e/harness.js';

/**
 * What a lead reads when `baton wait` run in a background shell exits: the brief of the ended run and
 * nothing else, or one line when --timeout passed first.
 */
test('baton wait prints the brief when the run ends, and one line when --timeout passes first', async (t) => {
  const repo = await makeGitRepo();
  const root = await makeTempDir('baton-wait-text-');
  t.after(() => Promise.all([rm(repo, { recursive: true, force: true }), rm(root, { recursive: true, force: true })]));
  const env = { ...process.env, BATON_HOME: join(root, 'home'), NO_COLOR: '1' };
  const launch = async (script: string) => {
    const run = await runCli(['run', '--json', '--runner', 'cmd', '--runner-option', `command=sh -c "${script}"`, '--runner-option', 'input=stdin', '--dir', repo, 'x'], env);
    assert.equal(run.code, 0, run.stderr);
    return (run.json as { id: string }).id;
  };

  const quick = await launch('echo working; echo finished');
  const ended = await runCli(['wait', quick, '--timeout', '60s'], env);
  assert.equal(ended.code, 0, ended.stderr);
  assert.equal(ended.stderr, '');
  const lines = ended.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, new RegExp(`^${quick} completed · cmd · \\S+ · 2 lines · exit 0$`));
  assert.ok(lines.length <= 4, `the brief and nothing else:\n${ended.stdout}`);
  assert.match(ended.stdout, /final\s+working · finished/);

  const slow = await launch('echo started; sleep 60');
  t.after(async () => void (await runCli(['kill', slow, '--grace', '1s'], env, 30_000)));
  const going = await runCli(['wait', slow, '--timeout', '1s'], env);
  assert.equal(going.code, 124);
  assert.match(going.stdout, new RegExp(`^not done \\(--timeout passed; the runs go on\\): ${slow} running \\S+, \\d+ lines\\n$`));
  assert.ok(going.stdout.length < 100, going.stdout);
});
