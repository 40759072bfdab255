import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkOutRun, pushBase, pushResult } from '../../src/cluster/code.js';
import { applyResult, commitWorktreeState } from '../../src/plans/cluster-place.js';
import { makeGitRepo, makeTempDir } from '../mock-model/agent-harness.js';
import { cleanupStack, removeTestDir } from '../cleanup.js';

const IDENTITY = ['-c', 'user.name=Baton Test', '-c', 'user.email=test@baton.invalid'];

/** A lead repository with a bare remote, and a worker home for the worker's half (src/cluster/code.ts). */
async function world(t: TestContext) {
  const undo = cleanupStack(t);
  const repo = await makeGitRepo();
  undo(() => removeTestDir(repo));
  const scratch = await makeTempDir('baton-cluster-place-');
  undo(() => removeTestDir(scratch));
  const remote = join(scratch, 'remote.git');
  execFileSync('git', ['init', '-q', '--bare', remote]);
  const gitIn = (dir: string, ...args: string[]) => execFileSync('git', [...IDENTITY, ...args], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  writeFileSync(join(repo, '.gitignore'), 'build/\n');
  writeFileSync(join(repo, 'keep.txt'), 'keep\n');
  writeFileSync(join(repo, 'gone.txt'), 'delete me\n');
  mkdirSync(join(repo, 'deep', 'er'), { recursive: true });
  writeFileSync(join(repo, 'deep', 'er', 'old.txt'), 'old\n');
  gitIn(repo, 'add', '-A');
  gitIn(repo, 'commit', '-q', '-m', 'files');
  return { repo, remote, workerHome: join(scratch, 'worker'), git: (...args: string[]) => gitIn(repo, ...args) };
}

test('the dispatched state holds tracked and untracked work but not ignored files; the worktree\'s index, HEAD and branch stay put', async (t) => {
  const w = await world(t);
  const head = w.git('rev-parse', 'HEAD').trim();
  writeFileSync(join(w.repo, 'keep.txt'), 'edited\n');
  writeFileSync(join(w.repo, 'new.txt'), 'untracked\n');
  mkdirSync(join(w.repo, 'build'));
  writeFileSync(join(w.repo, 'build', 'out.bin'), 'ignored\n');
  w.git('add', 'keep.txt');
  const statusBefore = w.git('status', '--porcelain');

  const state = await commitWorktreeState(w.repo);
  assert.notEqual(state, head);
  assert.equal(w.git('rev-parse', `${state}^`).trim(), head, 'on top of HEAD');
  assert.equal(w.git('show', `${state}:keep.txt`), 'edited\n');
  assert.equal(w.git('show', `${state}:new.txt`), 'untracked\n');
  assert.throws(() => w.git('show', `${state}:build/out.bin`), 'ignored files stay behind');
  assert.equal(w.git('rev-parse', 'HEAD').trim(), head);
  assert.equal(w.git('symbolic-ref', 'HEAD').trim(), 'refs/heads/main');
  assert.equal(w.git('status', '--porcelain'), statusBefore, 'the index is untouched (keep.txt staged, new.txt untracked)');

  rmSync(join(w.repo, 'new.txt'));
  w.git('reset', '-q');
  w.git('checkout', '-q', '--', 'keep.txt');
  assert.equal(await commitWorktreeState(w.repo), head, 'a clean worktree dispatches HEAD itself');
});

test('a run\'s result brought back: changes, additions and deletions applied; setup output and ignored files left; no result ref leaves the worktree as it was', async (t) => {
  const w = await world(t);
  writeFileSync(join(w.repo, 'local.txt'), 'the lead\'s untracked work\n');
  const base = await commitWorktreeState(w.repo);
  await pushBase(w.repo, w.remote, base, 'run1');
  // The worker's half: its own checkout of the base, the agent's edits, the pushed result.
  const checkout = await checkOutRun(w.workerHome, w.remote, 'run1');
  writeFileSync(join(checkout, 'keep.txt'), 'changed by the agent\n');
  writeFileSync(join(checkout, 'added.txt'), 'added\n');
  rmSync(join(checkout, 'gone.txt'));
  rmSync(join(checkout, 'deep'), { recursive: true });
  await pushResult(checkout, w.remote, 'run1', 'w1');
  // Meanwhile on the lead: output of the phase's setup, ignored and not.
  mkdirSync(join(w.repo, 'build'));
  writeFileSync(join(w.repo, 'build', 'out.bin'), 'built\n');

  assert.equal(await applyResult(w.repo, w.remote, 'run1', base), 'applied');
  assert.equal(readFileSync(join(w.repo, 'keep.txt'), 'utf8'), 'changed by the agent\n');
  assert.equal(readFileSync(join(w.repo, 'added.txt'), 'utf8'), 'added\n');
  assert.equal(existsSync(join(w.repo, 'gone.txt')), false);
  assert.equal(existsSync(join(w.repo, 'deep')), false, 'a folder emptied by deletions goes too');
  assert.equal(readFileSync(join(w.repo, 'local.txt'), 'utf8'), 'the lead\'s untracked work\n');
  assert.equal(readFileSync(join(w.repo, 'build', 'out.bin'), 'utf8'), 'built\n');
  assert.equal(w.git('for-each-ref', 'refs/baton/').trim(), '', 'the fetched ref is dropped');
  assert.equal(w.git('rev-parse', '--abbrev-ref', 'HEAD').trim(), 'main');
  assert.deepEqual(w.git('diff', '--cached', '--name-only').trim(), '', 'nothing staged in the worktree\'s own index');
  // Applied twice (a driver started again): the same content.
  assert.equal(await applyResult(w.repo, w.remote, 'run1', base), 'applied');
  assert.equal(readFileSync(join(w.repo, 'keep.txt'), 'utf8'), 'changed by the agent\n');

  // A worker that died before pushing: nothing to bring back, nothing touched.
  writeFileSync(join(w.repo, 'keep.txt'), 'lead state\n');
  assert.equal(await applyResult(w.repo, w.remote, 'run2', base), 'no-result');
  assert.equal(readFileSync(join(w.repo, 'keep.txt'), 'utf8'), 'lead state\n');
});
