import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diffSinceBaseline, takeBaseline } from '../../src/baseline/index.js';

function gitRepo(): string {
  const repo = mkdtempSync(join(tmpdir(), 'baton-git-'));
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: repo });
  git('init', '-q');
  writeFileSync(join(repo, 'tracked.txt'), 'v1\n');
  writeFileSync(join(repo, '.gitignore'), 'ignored/\n');
  git('add', '-A');
  git('commit', '-q', '-m', 'init');
  return repo;
}

test('git: only what changed after the baseline counts; the user index is untouched', async () => {
  const repo = gitRepo();
  // The user's own uncommitted work before the run: a modified file and an untracked one.
  writeFileSync(join(repo, 'tracked.txt'), 'user edit\n');
  writeFileSync(join(repo, 'notes.txt'), 'mine\n');
  execFileSync('git', ['add', 'notes.txt'], { cwd: repo });
  const indexBefore = readFileSync(join(repo, '.git', 'index'));
  const runDir = mkdtempSync(join(tmpdir(), 'baton-run-'));
  const baseline = await takeBaseline(repo, runDir);
  assert.equal(baseline.kind, 'git');
  assert.deepEqual(readFileSync(join(repo, '.git', 'index')), indexBefore);

  mkdirSync(join(repo, 'src'));
  writeFileSync(join(repo, 'src', 'new.ts'), 'export {};\n');
  rmSync(join(repo, 'notes.txt'));
  mkdirSync(join(repo, 'ignored'));
  writeFileSync(join(repo, 'ignored', 'build.out'), 'x');
  const diff = await diffSinceBaseline(baseline, { patch: true });
  assert.deepEqual(diff.changes, [
    { path: 'notes.txt', change: 'deleted' },
    { path: 'src/new.ts', change: 'added' },
  ]);
  assert.match(diff.patch!, /\+export \{\};/);
  assert.deepEqual(readFileSync(join(repo, '.git', 'index')), indexBefore, 'diffing must not touch the index either');
});

test('outside git: sizes and times tell what changed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-plain-'));
  writeFileSync(join(dir, 'keep.txt'), 'same');
  writeFileSync(join(dir, 'change.txt'), 'before');
  const baseline = await takeBaseline(dir, mkdtempSync(join(tmpdir(), 'baton-run-')));
  assert.equal(baseline.kind, 'files');
  writeFileSync(join(dir, 'change.txt'), 'after, longer');
  writeFileSync(join(dir, 'added.txt'), 'new');
  const diff = await diffSinceBaseline(baseline);
  assert.deepEqual(diff.changes, [
    { path: 'added.txt', change: 'added' },
    { path: 'change.txt', change: 'modified' },
  ]);
});
