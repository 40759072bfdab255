import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { snapshotWorkingTree } from '../../src/baseline/git-tree.js';
import { isAgentBookkeeping } from '../../src/baseline/bookkeeping.js';
import { commitPhaseChanges, phaseCommitMessage, snapshotDirtyPaths } from '../../src/plans/git-state.js';
import { makeGitRepo, makeTempDir } from '../mock-model/agent-harness.js';

function looseObjects(repo: string): Set<string> {
  const root = join(repo, '.git', 'objects');
  const names = new Set<string>();
  for (const dir of readdirSync(root)) {
    if (!/^[0-9a-f]{2}$/.test(dir)) continue;
    for (const file of readdirSync(join(root, dir))) names.add(dir + file);
  }
  return names;
}

test('a phase commit is whole in the repository, and the repository gains nothing but that commit\'s objects', async (t) => {
  const repo = await makeGitRepo();
  const home = await makeTempDir('baton-home-');
  t.after(async () => {
    await Promise.all([rm(repo, { recursive: true, force: true }), rm(home, { recursive: true, force: true })]);
  });
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' });
  writeFileSync(join(repo, 'user-notes.txt'), 'the user\'s own untracked file\n');
  const storeDir = join(home, 'plans', 'p1', 'git');
  const before = looseObjects(repo);
  const { tree: baseTree } = await snapshotWorkingTree(repo, storeDir, { largeFileBytes: 4096 });
  assert.deepEqual(looseObjects(repo), before, 'the phase baseline wrote into the repo');

  // What the phase produces: a new file, one in a new dir, one over the large-file bound, and bookkeeping.
  writeFileSync(join(repo, 'a.txt'), 'phase a\n');
  mkdirSync(join(repo, 'src'));
  writeFileSync(join(repo, 'src', 'b.ts'), 'export const b = 1;\n');
  writeFileSync(join(repo, 'big.bin'), Buffer.alloc(10_000, 7));
  mkdirSync(join(repo, '.omo'));
  writeFileSync(join(repo, '.omo', 'state.json'), '{}');

  const result = await commitPhaseChanges({
    root: repo,
    storeDir,
    baseTree,
    userDirty: {},
    message: phaseCommitMessage('p1', '1', 'one'),
    exclude: isAgentBookkeeping,
    largeFileBytes: 4096,
  });
  assert.deepEqual(result.paths.sort(), ['a.txt', 'big.bin', 'src/b.ts']);
  assert.equal(git('rev-parse', 'HEAD').trim(), result.sha);

  // Everything the commit references is in the repo itself, without Baton's store.
  git('fsck', '--connectivity-only', '--no-dangling');
  for (const line of git('ls-tree', '-r', '-t', 'HEAD').trim().split('\n')) git('cat-file', '-e', line.split(/\s+/)[2]!);
  assert.equal(git('show', 'HEAD:big.bin').length, 10_000, 'the large file is committed with its real content, not the placeholder');
  assert.equal(git('show', 'HEAD:a.txt'), 'phase a\n');

  const reachable = new Set(git('rev-list', '--objects', 'HEAD').trim().split('\n').map((line) => line.split(' ')[0]!));
  const added = [...looseObjects(repo)].filter((sha) => !before.has(sha));
  assert.ok(added.length > 0);
  assert.deepEqual(added.filter((sha) => !reachable.has(sha)), [], 'objects other than the phase commit\'s landed in the repo');
  assert.match(git('status', '--porcelain'), /\?\? user-notes\.txt/);
});

test('the user\'s dirty paths: a file over the large-file bound is recorded by size and mtime, not read', async (t) => {
  const repo = await makeGitRepo();
  t.after(async () => {
    await rm(repo, { recursive: true, force: true });
  });
  writeFileSync(join(repo, 'small.txt'), 'mine\n');
  writeFileSync(join(repo, 'big.bin'), Buffer.alloc(10_000, 1));
  const dirty = await snapshotDirtyPaths(repo, 4096);
  assert.match(dirty['small.txt']!, /^[0-9a-f]{40}$/);
  assert.match(dirty['big.bin']!, /^size 10000 mtime \d+$/);
  writeFileSync(join(repo, 'big.bin'), Buffer.alloc(10_001, 1));
  assert.notEqual((await snapshotDirtyPaths(repo, 4096))['big.bin'], dirty['big.bin'], 'a change to it still shows');
});
