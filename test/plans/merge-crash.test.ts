import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { findPhaseCommit, phaseCommitMessage, TRAILER_PHASE } from '../../src/plans/git-state.js';
import { finishMerge, mergePhase } from '../../src/plans/merge.js';
import type { PhaseMerge, PhaseWorktree } from '../../src/store/plans.js';
import { cleanupStack, removeTestDir } from '../cleanup.js';
import { makeGitRepo, makeTempDir } from '../mock-model/agent-harness.js';
import { seededRandom } from '../seeded-random.js';

const CHILD = fileURLToPath(new URL('./merge-phase-child.js', import.meta.url));
const KILLS = Number(process.env.MERGE_KILLS ?? 8);

function run(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' });
}

function status(repo: string): string[] {
  return run(repo, 'status', '--porcelain=v1', '--untracked-files=all').split('\n').filter(Boolean).sort();
}

function readJson<T>(file: string): T | null {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : null;
}

/** A repo where phase B waits to merge onto a tip that moved (phase A), with the user's own work around. */
async function scene(home: string, name: string) {
  const repo = await makeGitRepo();
  const git = (...args: string[]) => run(repo, ...args);
  git('config', 'user.name', 'Baton Test');
  git('config', 'user.email', 'test@baton.invalid');
  writeFileSync(join(repo, 'b.txt'), 'b\n');
  writeFileSync(join(repo, 'old.txt'), 'old\n');
  writeFileSync(join(repo, 'notes.txt'), 'notes\n');
  git('add', '-A');
  git('commit', '-q', '-m', 'project');
  const path = join(home, name);
  const worktree: PhaseWorktree = { path, branch: `baton/pr1/${name}`, base: git('rev-parse', 'main').trim(), prepared: true };
  git('worktree', 'add', '-q', '-b', worktree.branch, path, 'main');
  writeFileSync(join(path, 'b.txt'), 'b by phase B\n');
  writeFileSync(join(path, 'new.txt'), 'new\n');
  run(path, 'rm', '-q', 'old.txt');
  run(path, 'add', '-A');
  run(path, 'commit', '-q', '-m', 'baton: phase B work');
  writeFileSync(join(repo, 'a.txt'), 'a\n');
  git('add', 'a.txt');
  git('commit', '-q', '-m', phaseCommitMessage('pr1', 'A', 'a'));
  const tip = git('rev-parse', 'main').trim();
  writeFileSync(join(repo, 'notes.txt'), 'my unsaved notes\n');
  writeFileSync(join(repo, 'staged.txt'), 'staged\n');
  git('add', 'staged.txt');
  return { repo, worktree, tip, userStatus: status(repo) };
}

/** Runs the merging driver; kills its whole process group (git children too) after `killAfterMs`, or lets it finish. */
async function runDriver(repo: string, worktree: PhaseWorktree, stateDir: string, killAfterMs: number | null): Promise<number> {
  const started = Date.now();
  const child = spawn(process.execPath, [CHILD, repo, JSON.stringify(worktree), stateDir], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  if (killAfterMs !== null) {
    await Promise.race([exited, sleep(killAfterMs, undefined, { ref: false })]);
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  const code = await Promise.race([exited, sleep(60_000, 'hung' as const, { ref: false })]);
  assert.notEqual(code, 'hung', 'the merging driver did not end');
  if (killAfterMs === null) assert.equal(code, 0, stderr);
  return Date.now() - started;
}

test('SIGKILL of a merging driver (and its git) at seeded moments, then resume: the phase lands exactly once, nothing half-merged', async (t) => {
  const defer = cleanupStack(t);
  const home = await makeTempDir('baton-merge-crash-');
  defer(() => removeTestDir(home));

  // How long an undisturbed merge takes on this machine now: the kills are spread over it.
  const calm = await scene(home, 'calm');
  defer(() => removeTestDir(calm.repo));
  const calmState = join(home, 'calm-state');
  mkdirSync(calmState);
  const span = await runDriver(calm.repo, calm.worktree, calmState, null);
  assert.equal(readJson<{ kind: string }>(join(calmState, 'outcome.json'))?.kind, 'merged');

  const next = seededRandom(12);
  for (let i = 0; i < KILLS; i++) {
    const killAfter = Math.floor(next() * span);
    const s = await scene(home, `k${i}`);
    defer(() => removeTestDir(s.repo));
    const stateDir = join(home, `k${i}-state`);
    mkdirSync(stateDir);
    await runDriver(s.repo, s.worktree, stateDir, killAfter);
    const where = `kill ${i} after ${killAfter} ms of ${span}`;

    // Resume as the driver does: a recorded merge is finished or dropped, then the phase merges (again).
    let sha = readJson<{ kind: string; sha: string }>(join(stateDir, 'outcome.json'))?.sha ?? null;
    const merging = readJson<PhaseMerge>(join(stateDir, 'merging.json'));
    if (sha === null && merging !== null) {
      const finished = await finishMerge({ root: s.repo, branch: 'main', merge: merging });
      if (finished.done) sha = finished.sha;
    }
    if (sha === null) {
      const base = readJson<string>(join(stateDir, 'base.json')) ?? s.worktree.base;
      const outcome = await mergePhase({
        root: s.repo,
        branch: 'main',
        worktree: { ...s.worktree, base },
        message: phaseCommitMessage('pr1', 'B', 'b'),
        subdir: '',
        verify: async () => ({ passed: true, at: Date.now() }),
        recordMerging: () => undefined,
      });
      assert.equal(outcome.kind, 'merged', where);
      if (outcome.kind === 'merged') sha = outcome.sha;
    }

    assert.equal(await findPhaseCommit(s.repo, 'pr1', 'B', 'main'), sha, where);
    assert.equal(run(s.repo, 'rev-list', '--count', `--grep=^${TRAILER_PHASE}: B$`, 'main').trim(), '1', `${where}: committed exactly once`);
    assert.equal(run(s.repo, 'rev-parse', 'main^').trim(), s.tip, `${where}: one commit on top of the tip`);
    assert.equal(run(s.repo, 'show', 'main:b.txt'), 'b by phase B\n', where);
    assert.equal(run(s.repo, 'show', 'main:new.txt'), 'new\n', where);
    assert.equal(run(s.repo, 'ls-tree', 'main', 'old.txt').trim(), '', where);
    assert.deepEqual(status(s.repo), s.userStatus, `${where}: the checkout holds the phase and exactly the user's own work`);
    assert.equal(readFileSync(join(s.repo, 'notes.txt'), 'utf8'), 'my unsaved notes\n', where);
  }
});
