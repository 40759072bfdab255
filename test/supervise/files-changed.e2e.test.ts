import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../e2e/harness.js';
import { makeGitRepo, makeTempDir } from '../mock-model/agent-harness.js';

test('a cmd agent that writes a file through the shell: status --json, the brief and diff all list it; bookkeeping and deletions are not "changed"', async (t) => {
  const repo = await makeGitRepo();
  const root = await makeTempDir('baton-files-');
  t.after(() => Promise.all([rm(repo, { recursive: true, force: true }), rm(root, { recursive: true, force: true })]));
  const env: NodeJS.ProcessEnv = { ...process.env, BATON_HOME: join(root, 'home'), NO_COLOR: '1' };
  // The agent: a shell script that never uses an edit tool, as `cat > path <<'EOF'` in a phase prompt does.
  const script = [
    "cat > made-by-shell.txt <<'EOF'\nhello\nEOF",
    'mkdir -p lib .omo && printf x > lib/util.js && printf {} > .omo/state.json',
    'rm README.md',
  ].join('\n');
  const started = await runCli(['run', '--runner', 'cmd', '--runner-option', 'command=sh -c {prompt}', '--dir', repo, '--json', script], env);
  assert.equal(started.code, 0, started.stderr);
  const id = started.json.id as string;
  const waited = await runCli(['wait', id, '--timeout', '60s', '--json'], env, 70_000);
  assert.equal(waited.code, 0, waited.stdout + waited.stderr);

  const status = await runCli(['status', id, '--json'], env);
  assert.deepEqual([...status.json.filesChanged].sort(), ['lib/util.js', 'made-by-shell.txt']);
  const brief = await runCli(['status', id], env);
  assert.match(brief.stdout, /changed\s+.*made-by-shell\.txt/);
  const diff = await runCli(['diff', id, '--json'], env);
  assert.deepEqual(diff.json.changes, [
    { path: '.omo/state.json', change: 'added' },
    { path: 'README.md', change: 'deleted' },
    { path: 'lib/util.js', change: 'added' },
    { path: 'made-by-shell.txt', change: 'added' },
  ]);
});
