import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { acquireRepoLock, repoLockHolder } from '../src/repo-lock.js';
import { BatonError } from '../src/errors.js';
import { makeGitRepo } from './mock-model/agent-harness.js';

test('the repo lock: one holder, a second owner refused, a dead holder taken over, released by its owner', async (t) => {
  const repo = await makeGitRepo();
  t.after(() => rmSync(repo, { recursive: true, force: true }));
  assert.equal(await repoLockHolder(repo), null);
  const release = await acquireRepoLock(repo, 'plan run a');
  assert.equal((await repoLockHolder(repo))?.owner, 'plan run a');
  await assert.rejects(acquireRepoLock(repo, 'plan run b'), (error) => error instanceof BatonError && error.kind === 'conflict' && /locked by plan run a/.test(error.message));
  release();
  assert.equal(await repoLockHolder(repo), null);

  // A holder whose process is gone does not count and is taken over.
  const dead = Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }));
  writeFileSync(join(repo, '.git', 'baton.lock'), JSON.stringify({ owner: 'plan run gone', pid: dead, host: hostname(), at: Date.now() }));
  assert.equal(await repoLockHolder(repo), null);
  const again = await acquireRepoLock(repo, 'plan run c');
  assert.equal((await repoLockHolder(repo))?.owner, 'plan run c');
  again();
});

test('a directory outside git has no lock holder', async () => {
  assert.equal(await repoLockHolder('/'), null);
});
