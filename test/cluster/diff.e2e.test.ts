import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { startCluster, writeAgent } from './harness.js';
import { waitFor } from '../wait-for.js';

/** An agent that adds, modifies and deletes a file, so a diff has all three kinds. */
async function writeEditingAgent(scratch: string): Promise<string> {
  const path = join(scratch, 'edit-agent.mjs');
  await writeFile(
    path,
    `import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
appendFileSync('README.md', 'a line from the agent\\n');
rmSync('old.txt');
writeFileSync('new.txt', 'new\\n');
console.log('edited');
`,
  );
  return `${process.execPath} ${path} {prompt}`;
}

test('diff of a cluster run from the lead: its changes and patch from the base and result refs, shaped like a local run\'s; the checkout untouched', async (t) => {
  const cluster = await startCluster(t);
  await writeFile(join(cluster.repo, 'old.txt'), 'old\n');
  await cluster.git(cluster.repo, 'add', 'old.txt');
  await cluster.git(cluster.repo, '-c', 'user.name=T', '-c', 'user.email=t@t.invalid', 'commit', '-q', '-m', 'old file');
  // The user's own uncommitted edit: neither dispatched nor touched by the diff.
  await writeFile(join(cluster.repo, 'mine.txt'), 'mine\n');
  const command = await writeEditingAgent(cluster.scratch);
  await cluster.startWorker('w1');
  const id = (await cluster.cli(['run', '--json', '--runner', 'cmd', '--runner-option', `command=${command}`, '--dir', cluster.repo, 'edit'])).json.id as string;
  const waited = await cluster.cli(['wait', '--json', '--timeout', '40s', id], { timeoutMs: 50_000 });
  assert.equal(waited.json.runs[0].state, 'completed', waited.stdout);

  const before = {
    head: await cluster.git(cluster.repo, 'rev-parse', 'HEAD'),
    branches: await cluster.git(cluster.repo, 'for-each-ref', 'refs/heads', 'refs/remotes'),
    status: await cluster.git(cluster.repo, 'status', '--porcelain', '--untracked-files=all'),
  };
  const diffed = await cluster.cli(['diff', '--json', id]);
  assert.equal(diffed.code, 0, diffed.stderr);
  assert.deepEqual(Object.keys(diffed.json).sort(), ['baseline', 'changes', 'id']);
  assert.deepEqual(diffed.json.changes, [
    { path: 'README.md', change: 'modified' },
    { path: 'new.txt', change: 'added' },
    { path: 'old.txt', change: 'deleted' },
  ]);
  assert.match(diffed.json.baseline, /^base commit [0-9a-f]{12}, result [0-9a-f]{12} pushed by worker w1 to /);
  const text = await cluster.cli(['diff', '--patch', id]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, new RegExp(`^${id}: 3 file\\(s\\) changed since base commit`));
  assert.match(text.stdout, /^M README\.md$/m);
  assert.match(text.stdout, /^\+a line from the agent$/m);
  assert.match(text.stdout, /^deleted file mode/m);
  // Fetched beside the user's refs, never into them.
  assert.deepEqual(
    {
      head: await cluster.git(cluster.repo, 'rev-parse', 'HEAD'),
      branches: await cluster.git(cluster.repo, 'for-each-ref', 'refs/heads', 'refs/remotes'),
      status: await cluster.git(cluster.repo, 'status', '--porcelain', '--untracked-files=all'),
    },
    before,
  );
  assert.equal(before.status, '?? mine.txt\n');
  assert.equal((await cluster.git(cluster.repo, 'rev-parse', `refs/baton/runs/${id}/result`)).trim(), (await cluster.git(cluster.remote, 'rev-parse', `refs/baton/runs/${id}/result`)).trim());

  // The same agent run here (in a clone at the same commit) diffs the same: same changes, same patch.
  const clone = join(cluster.scratch, 'clone');
  await cluster.git(cluster.scratch, 'clone', '-q', cluster.remote, clone, '--branch', 'main');
  await cluster.git(clone, 'reset', '-q', '--hard', before.head.trim());
  const here = (await cluster.cli(['run', '--json', '--local', '--runner', 'cmd', '--runner-option', `command=${command}`, '--dir', clone, 'edit'])).json.id as string;
  assert.equal((await cluster.cli(['wait', '--json', '--timeout', '40s', here])).json.runs[0].state, 'completed');
  const local = await cluster.cli(['diff', '--json', '--patch', here]);
  const remote = await cluster.cli(['diff', '--json', '--patch', id]);
  assert.deepEqual(Object.keys(remote.json).sort(), Object.keys(local.json).sort());
  assert.deepEqual(remote.json.changes, local.json.changes);
  assert.equal(remote.json.patch, local.json.patch);
});

test('diff of a cluster run whose result was never pushed says so: while it runs, and after its worker was lost', async (t) => {
  const cluster = await startCluster(t);
  const long = await writeAgent(cluster.scratch, 60_000);
  const doomed = await cluster.startWorker('doomed');
  const id = (await cluster.cli(['run', '--json', '--runner', 'cmd', '--runner-option', `command=${long.command}`, '--dir', cluster.repo, 'x.txt'])).json.id as string;
  await waitFor(async () => {
    const status = (await cluster.cli(['status', '--json', id])).json;
    return status.state === 'running' && status.pid !== null;
  }, { what: 'the run to start on the worker', timeoutMs: 30_000 });
  const running = await cluster.cli(['diff', id]);
  assert.equal(running.code, 1);
  assert.match(running.stderr, new RegExp(`run ${id} is running: its worker pushes the result to \\S+ when the run ends; diff it then`));

  doomed.child.kill('SIGKILL');
  const waited = await cluster.cli(['wait', '--json', '--timeout', '40s', id], { timeoutMs: 50_000 });
  assert.equal(waited.json.runs[0].state, 'failed');
  const lost = await cluster.cli(['diff', '--json', id]);
  assert.equal(lost.code, 1);
  assert.equal(lost.json.error.kind, 'conflict');
  assert.match(lost.json.error.message, new RegExp(`^run ${id} ended \\(failed\\) but its result was never pushed to \\S+ \\(worker doomed did not get to push it\\); there is nothing to diff$`));
});
