import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BatonError } from '../../src/errors.js';
import { findPhaseCommit, phaseCommitMessage, TRAILER_PHASE, TRAILER_PLAN_RUN } from '../../src/plans/git-state.js';
import {
  abortConflictResolution,
  branchTip,
  commitsBehind,
  conflictInProgress,
  finishConflictResolution,
  finishMerge,
  mergePhase,
  startConflictResolution,
} from '../../src/plans/merge.js';
import type { PhaseMerge, PhaseWorktree, VerificationResult } from '../../src/store/plans.js';
import { cleanupStack, removeTestDir } from '../cleanup.js';
import { makeGitRepo, makeTempDir } from '../mock-model/agent-harness.js';

const PLAN = 'pr1';

function run(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' });
}

/** Writes (string) or deletes (null) files under dir. */
function edit(dir: string, files: Record<string, string | null>): void {
  for (const [path, content] of Object.entries(files)) {
    const full = join(dir, path);
    if (content === null) rmSync(full, { force: true });
    else {
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, content);
    }
  }
}

function commit(dir: string, files: Record<string, string | null>, message: string): string {
  edit(dir, files);
  run(dir, 'add', '-A', '--', ...Object.keys(files));
  run(dir, 'commit', '-q', '--no-verify', '-m', message);
  return run(dir, 'rev-parse', 'HEAD').trim();
}

interface Setup {
  repo: string;
  home: string;
  git: (...args: string[]) => string;
  /** The phase's worktree made from main's current tip, as the driver would. */
  worktree: (phase: string) => PhaseWorktree;
}

async function setup(t: TestContext, files: Record<string, string> = {}): Promise<Setup> {
  const defer = cleanupStack(t);
  const repo = await makeGitRepo();
  defer(() => removeTestDir(repo));
  const home = await makeTempDir('baton-merge-');
  defer(() => removeTestDir(home));
  const git = (...args: string[]) => run(repo, ...args);
  git('config', 'user.name', 'Baton Test');
  git('config', 'user.email', 'test@baton.invalid');
  if (Object.keys(files).length > 0) commit(repo, files, 'project files');
  const worktree = (phase: string): PhaseWorktree => {
    const path = join(home, phase);
    const branch = `baton/${PLAN}/${phase}`;
    git('worktree', 'add', '-q', '-b', branch, path, 'main');
    return { path, branch, base: git('rev-parse', 'main').trim(), prepared: true };
  };
  return { repo, home, git, worktree };
}

const passed = (): VerificationResult => ({ passed: true, at: Date.now() });

/** The options every merge onto the test repo's main branch shares: the phase's commit message, at the root. */
function onMain(repo: string, worktree: PhaseWorktree, phaseId: string, title: string) {
  return { root: repo, branch: 'main', worktree, message: phaseCommitMessage(PLAN, phaseId, title), subdir: '' };
}

/** The user's `git status`, one `XY path` per line, sorted. */
function status(repo: string): string[] {
  return run(repo, 'status', '--porcelain=v1', '--untracked-files=all')
    .split('\n')
    .filter(Boolean)
    .sort();
}

test('a clean phase lands onto a moved tip as one commit with the trailers; the user\'s checkout gains exactly its paths', async (t) => {
  const s = await setup(t, { 'a.txt': 'a\n', 'b.txt': 'b\n', 'notes.txt': 'notes\n' });
  const wt = s.worktree('B');
  // A file literally named `*.txt` must not act as a pattern over the user's own .txt files.
  commit(wt.path, { 'b.txt': 'b by phase B\n', 'src/new.ts': 'export const n = 1;\n', 'docs/a b ü.md': 'ü\n', '*.txt': 'star\n' }, 'baton: phase B work');
  // Phase A merged meanwhile: the tip moved past B's base.
  const tipA = commit(s.repo, { 'a.txt': 'a by phase A\n' }, phaseCommitMessage(PLAN, 'A', 'phase a'));
  // The user's own work: an unstaged edit, a staged new file, an untracked file.
  edit(s.repo, { 'notes.txt': 'my unsaved notes\n', 'staged.txt': 'staged by me\n', 'scratch.txt': 'mine\n' });
  s.git('add', 'staged.txt');
  const before = status(s.repo);

  const verified: string[] = [];
  const recorded: PhaseMerge[] = [];
  const rebased: string[] = [];
  const outcome = await mergePhase({
    root: s.repo,
    branch: 'main',
    worktree: wt,
    message: phaseCommitMessage(PLAN, 'B', 'phase b'),
    subdir: 'src',
    verify: async (dir) => {
      verified.push(dir);
      // Verification sees the phase as it will land: on top of A's work.
      assert.equal(readFileSync(join(dir, '..', 'a.txt'), 'utf8'), 'a by phase A\n');
      return passed();
    },
    recordMerging: (merge) => recorded.push(merge),
    onRebased: (base) => rebased.push(base),
  });

  assert.equal(outcome.kind, 'merged');
  if (outcome.kind !== 'merged') return;
  const phasePaths = ['*.txt', 'b.txt', 'docs/a b ü.md', 'src/new.ts'];
  assert.deepEqual(outcome.paths.sort(), phasePaths);
  assert.equal(s.git('rev-parse', 'main').trim(), outcome.sha);
  assert.equal(s.git('rev-parse', 'main^').trim(), tipA, 'exactly one commit on top of the old tip');
  assert.equal(s.git('rev-list', '--count', `${tipA}..main`).trim(), '1');
  const message = s.git('log', '-1', '--format=%B', 'main');
  assert.match(message, new RegExp(`^${TRAILER_PLAN_RUN}: ${PLAN}$`, 'm'));
  assert.match(message, new RegExp(`^${TRAILER_PHASE}: B$`, 'm'));
  assert.deepEqual(s.git('-c', 'core.quotepath=off', 'diff-tree', '-r', '--name-only', '--no-commit-id', 'main').trim().split('\n').sort(), phasePaths);
  assert.deepEqual(recorded, [{ commit: outcome.sha, parent: tipA, paths: outcome.paths }]);
  assert.deepEqual(rebased, [tipA]);
  assert.deepEqual(verified, [join(wt.path, 'src')]);
  assert.equal(await findPhaseCommit(s.repo, PLAN, 'B', 'main'), outcome.sha);

  // Only the final commit carries trailers: the replayed work commit in the worktree has none.
  assert.equal(run(wt.path, 'rev-parse', 'HEAD^').trim(), tipA);
  assert.equal(run(wt.path, 'log', '-1', '--format=%B').trim(), 'baton: phase work rebased');

  // The checkout: the phase's files are there, the user's work is exactly as it was.
  assert.equal(readFileSync(join(s.repo, 'b.txt'), 'utf8'), 'b by phase B\n');
  assert.equal(readFileSync(join(s.repo, 'src/new.ts'), 'utf8'), 'export const n = 1;\n');
  assert.equal(readFileSync(join(s.repo, 'docs/a b ü.md'), 'utf8'), 'ü\n');
  assert.equal(readFileSync(join(s.repo, '*.txt'), 'utf8'), 'star\n');
  assert.deepEqual(status(s.repo), before);
  assert.deepEqual(s.git('diff', '--cached', '--name-only').trim().split('\n'), ['staged.txt']);
  assert.equal(readFileSync(join(s.repo, 'notes.txt'), 'utf8'), 'my unsaved notes\n');
});

test('a phase whose base is still the tip is not verified again', async (t) => {
  const s = await setup(t);
  const wt = s.worktree('A');
  commit(wt.path, { 'a.txt': 'a\n' }, 'baton: phase A work');
  const outcome = await mergePhase({
    ...onMain(s.repo, wt, 'A', 'a'),
    verify: () => assert.fail('verified although nothing moved under the phase'),
    recordMerging: () => undefined,
    onRebased: () => assert.fail('rebased although nothing moved under the phase'),
  });
  assert.equal(outcome.kind, 'merged');
  assert.equal(s.git('rev-parse', 'main^').trim(), wt.base);
  assert.deepEqual(status(s.repo), []);
  assert.equal(readFileSync(join(s.repo, 'a.txt'), 'utf8'), 'a\n');
});

test('a phase that changed nothing the branch lacks merges as a no-op: no commit, nothing recorded', async (t) => {
  const s = await setup(t);
  const wt = s.worktree('A');
  const tip = s.git('rev-parse', 'main').trim();
  const outcome = await mergePhase({
    ...onMain(s.repo, wt, 'A', 'a'),
    verify: async () => passed(),
    recordMerging: () => assert.fail('recorded a merge of nothing'),
  });
  assert.deepEqual(outcome, { kind: 'merged', sha: tip, paths: [] });
  assert.equal(s.git('rev-parse', 'main').trim(), tip);
});

test('verification failing on the moved tip leaves the plan branch where it was; the worktree holds the replayed work', async (t) => {
  const s = await setup(t);
  const wt = s.worktree('B');
  commit(wt.path, { 'b.txt': 'b\n' }, 'baton: phase B work');
  const tip = commit(s.repo, { 'a.txt': 'a\n' }, 'phase A');
  const failure: VerificationResult = { passed: false, command: 'npm test', exitCode: 1, output: 'boom', at: Date.now() };
  const outcome = await mergePhase({
    ...onMain(s.repo, wt, 'B', 'b'),
    verify: async () => failure,
    recordMerging: () => assert.fail('recorded a merge that failed verification'),
  });
  assert.deepEqual(outcome, { kind: 'verify-failed', verification: failure });
  assert.equal(s.git('rev-parse', 'main').trim(), tip);
  assert.equal(run(wt.path, 'rev-parse', 'HEAD^').trim(), tip);
  assert.ok(existsSync(join(wt.path, 'a.txt')) && existsSync(join(wt.path, 'b.txt')));
  assert.deepEqual(status(s.repo), []);
});

test('a phase that changes a path holding the user\'s uncommitted work is refused and nothing moves', async (t) => {
  const s = await setup(t, { 'b.txt': 'b\n' });
  const wt = s.worktree('B');
  commit(wt.path, { 'b.txt': 'b by phase\n', 'c.txt': 'c\n' }, 'baton: phase B work');
  const tip = s.git('rev-parse', 'main').trim();
  edit(s.repo, { 'b.txt': 'my own edit\n' });
  const outcome = await mergePhase({
    ...onMain(s.repo, wt, 'B', 'b'),
    verify: async () => passed(),
    recordMerging: () => assert.fail('recorded a merge over the user\'s work'),
  });
  assert.deepEqual(outcome, { kind: 'user-work', paths: ['b.txt'] });
  assert.equal(s.git('rev-parse', 'main').trim(), tip);
  assert.equal(readFileSync(join(s.repo, 'b.txt'), 'utf8'), 'my own edit\n');
  assert.ok(!existsSync(join(s.repo, 'c.txt')));
});

test('the plan branch not checked out: the branch advances and the user\'s checkout is not touched', async (t) => {
  const s = await setup(t);
  const wt = s.worktree('A');
  commit(wt.path, { 'a.txt': 'a\n' }, 'baton: phase A work');
  s.git('switch', '-q', '-c', 'elsewhere');
  edit(s.repo, { 'a.txt': 'the user\'s own a.txt on another branch\n' });
  const outcome = await mergePhase({
    ...onMain(s.repo, wt, 'A', 'a'),
    verify: async () => passed(),
    recordMerging: () => undefined,
  });
  assert.equal(outcome.kind, 'merged');
  assert.equal(s.git('show', 'main:a.txt'), 'a\n');
  assert.equal(readFileSync(join(s.repo, 'a.txt'), 'utf8'), 'the user\'s own a.txt on another branch\n');
  assert.deepEqual(status(s.repo), ['?? a.txt']);
});

async function conflicted(t: TestContext) {
  const s = await setup(t, { 'shared.txt': 'one\ntwo\nthree\n', 'other.txt': 'other\n' });
  const wt = s.worktree('C');
  const work = commit(wt.path, { 'shared.txt': 'one\nTWO by C\nthree\n', 'c.txt': 'c\n' }, 'baton: phase C work');
  const tip = commit(s.repo, { 'shared.txt': 'one\nTWO by B\nthree\n' }, phaseCommitMessage(PLAN, 'B', 'b'));
  return { s, wt, work, tip };
}

test('a conflict is detected by the preview, listed, and changes nothing anywhere', async (t) => {
  const { s, wt, work, tip } = await conflicted(t);
  const outcome = await mergePhase({
    ...onMain(s.repo, wt, 'C', 'c'),
    verify: () => assert.fail('verified a conflicting phase'),
    recordMerging: () => assert.fail('recorded a conflicting merge'),
  });
  assert.deepEqual(outcome, { kind: 'conflict', conflicts: ['shared.txt'] });
  assert.equal(s.git('rev-parse', 'main').trim(), tip);
  assert.equal(run(wt.path, 'rev-parse', 'HEAD').trim(), work);
  assert.deepEqual(status(s.repo), []);
  assert.deepEqual(status(wt.path), []);
  assert.equal(await conflictInProgress(wt.path), false);
});

test('the conflict round trip: markers for the agent, unresolved while they stay, then committed, then merged', async (t) => {
  const { s, wt, tip } = await conflicted(t);
  const { conflicts, prompt } = await startConflictResolution({ root: s.repo, worktree: wt, tip, otherPhases: ['phase B'] });
  assert.deepEqual(conflicts, ['shared.txt']);
  assert.match(prompt, /- shared\.txt/);
  assert.match(prompt, /\+TWO by B/, 'the prompt shows what the other side changed');
  assert.match(prompt, /phase B/);
  assert.match(readFileSync(join(wt.path, 'shared.txt'), 'utf8'), /^<<<<<<< /m);
  assert.equal(await conflictInProgress(wt.path), true);

  // Starting again (a resumed driver) keeps the round as it is.
  const again = await startConflictResolution({ root: s.repo, worktree: wt, tip });
  assert.deepEqual(again.conflicts, ['shared.txt']);

  assert.deepEqual(await finishConflictResolution({ worktree: wt, exclude: () => false }), { resolved: false, unresolved: ['shared.txt'] });

  // The agent resolves the file but does not `git add` it, and leaves bookkeeping of its own.
  edit(wt.path, { 'shared.txt': 'one\nTWO by B and C\nthree\n', '.agent/state.json': '{}' });
  const finished = await finishConflictResolution({ worktree: wt, exclude: (path) => path.startsWith('.agent/') });
  assert.deepEqual(finished, { resolved: true, base: tip });
  assert.equal(await conflictInProgress(wt.path), false);
  assert.deepEqual(run(wt.path, 'log', '-1', '--format=%P').trim().split(' ').slice(1), [tip], 'a merge of the tip');
  assert.equal(run(wt.path, 'ls-files', '.agent').trim(), '', 'excluded paths are not committed');
  assert.doesNotMatch(run(wt.path, 'log', '-1', '--format=%B'), new RegExp(TRAILER_PHASE));

  const outcome = await mergePhase({
    root: s.repo,
    branch: 'main',
    worktree: { ...wt, base: finished.resolved ? finished.base : wt.base },
    message: phaseCommitMessage(PLAN, 'C', 'c'),
    subdir: '',
    verify: () => assert.fail('the driver verifies a resolution itself; the tip has not moved since'),
    recordMerging: () => undefined,
  });
  assert.equal(outcome.kind, 'merged');
  if (outcome.kind !== 'merged') return;
  assert.deepEqual(outcome.paths.sort(), ['c.txt', 'shared.txt']);
  assert.equal(s.git('rev-parse', 'main^').trim(), tip);
  assert.equal(s.git('rev-list', '--count', '--merges', `${tip}..main`).trim(), '0', 'the plan branch gets one plain commit, not the worktree\'s merge');
  assert.equal(readFileSync(join(s.repo, 'shared.txt'), 'utf8'), 'one\nTWO by B and C\nthree\n');
  assert.deepEqual(status(s.repo), []);
});

test('a conflicted file left untouched (no markers, as in delete/modify) stays unresolved until the agent edits or stages it', async (t) => {
  const s = await setup(t, { 'gone.txt': 'one\n', 'kept.txt': 'k\n' });
  const wt = s.worktree('C');
  commit(wt.path, { 'gone.txt': 'one, edited by C\n' }, 'baton: phase C work');
  const tip = commit(s.repo, { 'gone.txt': null }, 'phase B deletes it');
  const { conflicts } = await startConflictResolution({ root: s.repo, worktree: wt, tip });
  assert.deepEqual(conflicts, ['gone.txt']);
  assert.deepEqual(await finishConflictResolution({ worktree: wt, exclude: () => false }), { resolved: false, unresolved: ['gone.txt'] });
  run(wt.path, 'rm', '-q', 'gone.txt');
  assert.deepEqual(await finishConflictResolution({ worktree: wt, exclude: () => false }), { resolved: true, base: tip });
  assert.equal(run(wt.path, 'ls-files', 'gone.txt').trim(), '');
});

test('markers left in one of two files keep the round unresolved, naming that file', async (t) => {
  const s = await setup(t, { 'x.txt': 'x1\nx2\nx3\n', 'y.txt': 'y1\ny2\ny3\n' });
  const wt = s.worktree('C');
  commit(wt.path, { 'x.txt': 'x1\nX2 C\nx3\n', 'y.txt': 'y1\nY2 C\ny3\n' }, 'baton: phase C work');
  const tip = commit(s.repo, { 'x.txt': 'x1\nX2 B\nx3\n', 'y.txt': 'y1\nY2 B\ny3\n' }, 'phase B');
  const { conflicts } = await startConflictResolution({ root: s.repo, worktree: wt, tip });
  assert.deepEqual(conflicts.sort(), ['x.txt', 'y.txt']);
  edit(wt.path, { 'x.txt': 'x1\nX2 B+C\nx3\n' });
  run(wt.path, 'add', 'x.txt');
  // Staged with its markers still in: git calls it merged, Baton does not.
  const y = readFileSync(join(wt.path, 'y.txt'), 'utf8');
  edit(wt.path, { 'y.txt': `${y}\n` });
  run(wt.path, 'add', 'y.txt');
  assert.deepEqual(await finishConflictResolution({ worktree: wt, exclude: () => false }), { resolved: false, unresolved: ['y.txt'] });
  assert.equal(await conflictInProgress(wt.path), true);
});

test('aborting a conflict round puts the worktree back at the phase\'s own work', async (t) => {
  const { s, wt, work, tip } = await conflicted(t);
  await startConflictResolution({ root: s.repo, worktree: wt, tip });
  await abortConflictResolution(wt.path);
  assert.equal(await conflictInProgress(wt.path), false);
  assert.equal(run(wt.path, 'rev-parse', 'HEAD').trim(), work);
  assert.equal(readFileSync(join(wt.path, 'shared.txt'), 'utf8'), 'one\nTWO by C\nthree\n');
  assert.deepEqual(status(wt.path), []);
  await abortConflictResolution(wt.path); // nothing under way: a no-op
  assert.equal(s.git('rev-parse', 'main').trim(), tip);
});

/** Runs mergePhase until it records its merge, then "dies" there: what a SIGKILL right after the record leaves. */
async function crashAfterRecord(s: Setup, wt: PhaseWorktree, phase: string): Promise<PhaseMerge> {
  let recorded: PhaseMerge | undefined;
  await assert.rejects(
    mergePhase({
      root: s.repo,
      branch: 'main',
      worktree: wt,
      message: phaseCommitMessage(PLAN, phase, phase),
      subdir: '',
      verify: async () => passed(),
      recordMerging: (merge) => {
        recorded = merge;
        throw new Error('killed');
      },
    }),
    /killed/,
  );
  return recorded!;
}

test('finishMerge after a crash between the record and the branch move: not done, and the phase merges again cleanly', async (t) => {
  const s = await setup(t);
  const wt = s.worktree('A');
  commit(wt.path, { 'a.txt': 'a\n' }, 'baton: phase A work');
  const tip = s.git('rev-parse', 'main').trim();
  const merge = await crashAfterRecord(s, wt, 'A');
  assert.equal(merge.parent, tip);
  assert.deepEqual(await finishMerge({ root: s.repo, branch: 'main', merge }), { done: false });
  assert.equal(s.git('rev-parse', 'main').trim(), tip);
  const outcome = await mergePhase({ root: s.repo, branch: 'main', worktree: wt, message: phaseCommitMessage(PLAN, 'A', 'A'), subdir: '', verify: async () => passed(), recordMerging: () => undefined });
  assert.equal(outcome.kind, 'merged');
  assert.equal(s.git('rev-list', '--count', `${tip}..main`).trim(), '1');
});

test('finishMerge after a crash between the branch move and the checkout update: done, checkout brought up, and again the same', async (t) => {
  const s = await setup(t, { 'b.txt': 'b\n', 'old.txt': 'old\n', 'mine.txt': 'mine\n' });
  const wt = s.worktree('B');
  commit(wt.path, { 'b.txt': 'b by phase\n', 'old.txt': null, 'dir/new.txt': 'new\n' }, 'baton: phase B work');
  edit(s.repo, { 'mine.txt': 'my edit\n', 'untracked.txt': 'u\n' });
  const before = status(s.repo);
  const merge = await crashAfterRecord(s, wt, 'B');
  // What the compare-and-swap did before the driver died.
  s.git('update-ref', 'refs/heads/main', merge.commit, merge.parent);
  assert.notDeepEqual(status(s.repo), before, 'the checkout lags behind the moved branch');

  const first = await finishMerge({ root: s.repo, branch: 'main', merge });
  assert.deepEqual(first, { done: true, sha: merge.commit });
  assert.deepEqual(status(s.repo), before);
  assert.equal(readFileSync(join(s.repo, 'b.txt'), 'utf8'), 'b by phase\n');
  assert.equal(readFileSync(join(s.repo, 'dir/new.txt'), 'utf8'), 'new\n');
  assert.ok(!existsSync(join(s.repo, 'old.txt')));
  assert.equal(readFileSync(join(s.repo, 'mine.txt'), 'utf8'), 'my edit\n');

  assert.deepEqual(await finishMerge({ root: s.repo, branch: 'main', merge }), first);
  assert.deepEqual(status(s.repo), before);
  assert.equal(s.git('rev-list', '--count', `${merge.parent}..main`).trim(), '1');
});

test('finishMerge keeps a phase path the user edited after the branch moved, and still finishes', async (t) => {
  const s = await setup(t, { 'b.txt': 'b\n', 'c.txt': 'c\n', 'd.txt': 'd\n', 'e.txt': 'e\n' });
  const wt = s.worktree('B');
  commit(wt.path, { 'b.txt': 'b by phase\n', 'c.txt': 'c by phase\n', 'd.txt': null, 'e.txt': 'e by phase\n' }, 'baton: phase B work');
  const merge = await crashAfterRecord(s, wt, 'B');
  s.git('update-ref', 'refs/heads/main', merge.commit, merge.parent);
  edit(s.repo, { 'b.txt': 'the user typed here meanwhile\n', 'd.txt': 'the user wrote d anew\n', 'e.txt': 'e staged by the user\n' });
  s.git('add', 'e.txt');
  assert.deepEqual(await finishMerge({ root: s.repo, branch: 'main', merge }), { done: true, sha: merge.commit, kept: ['b.txt', 'd.txt', 'e.txt'] });
  assert.equal(s.git('show', ':e.txt'), 'e staged by the user\n', 'the user\'s staged edit stays staged');
  assert.equal(readFileSync(join(s.repo, 'e.txt'), 'utf8'), 'e staged by the user\n');
  assert.equal(readFileSync(join(s.repo, 'd.txt'), 'utf8'), 'the user wrote d anew\n');
  assert.equal(readFileSync(join(s.repo, 'b.txt'), 'utf8'), 'the user typed here meanwhile\n');
  assert.equal(readFileSync(join(s.repo, 'c.txt'), 'utf8'), 'c by phase\n');
  assert.equal(s.git('show', 'main:b.txt'), 'b by phase\n', 'the phase\'s version is safe in the commit');
  assert.deepEqual(status(s.repo), [' M b.txt', '?? d.txt', 'M  e.txt'], 'the index follows the commit; only the user\'s edits show');
});

test('losing the compare-and-swap to another commit starts over on the new tip and lands on top of it', async (t) => {
  const s = await setup(t);
  const wt = s.worktree('B');
  commit(wt.path, { 'b.txt': 'b\n' }, 'baton: phase B work');
  let racer = '';
  const recorded: PhaseMerge[] = [];
  let verifications = 0;
  const outcome = await mergePhase({
    ...onMain(s.repo, wt, 'B', 'b'),
    verify: async () => {
      verifications++;
      return passed();
    },
    recordMerging: (merge) => {
      recorded.push(merge);
      // Someone commits between the record and the move.
      if (!racer) racer = commit(s.repo, { 'r.txt': 'r\n' }, 'the user commits meanwhile');
    },
  });
  assert.equal(outcome.kind, 'merged');
  assert.equal(recorded.length, 2);
  assert.equal(recorded[1]!.parent, racer);
  assert.equal(verifications, 1, 'the phase is verified again on the tip it now lands on');
  assert.equal(s.git('rev-parse', 'main^').trim(), racer);
  assert.deepEqual(status(s.repo), []);
  assert.ok(existsSync(join(s.repo, 'b.txt')) && existsSync(join(s.repo, 'r.txt')));
});

test('a branch that keeps moving under the merge is given up on after a bounded number of tries', async (t) => {
  const s = await setup(t);
  const wt = s.worktree('B');
  commit(wt.path, { 'b.txt': 'b\n' }, 'baton: phase B work');
  let n = 0;
  await assert.rejects(
    mergePhase({
      root: s.repo,
      branch: 'main',
      worktree: wt,
      message: phaseCommitMessage(PLAN, 'B', 'b'),
      subdir: '',
      verify: async () => passed(),
      recordMerging: () => void commit(s.repo, { [`r${++n}.txt`]: 'r\n' }, `race ${n}`),
    }),
    (error: unknown) => error instanceof BatonError && error.kind === 'conflict' && /moved 3 times/.test(error.message),
  );
  assert.equal(n, 3);
  assert.equal(await findPhaseCommit(s.repo, PLAN, 'B', 'main'), null);
});

test('a deleted file and an executable-mode change are carried through to the branch and the checkout', async (t) => {
  const s = await setup(t, { 'old.txt': 'old\n', 'run.sh': '#!/bin/sh\necho hi\n' });
  const wt = s.worktree('A');
  rmSync(join(wt.path, 'old.txt'));
  chmodSync(join(wt.path, 'run.sh'), 0o755);
  run(wt.path, 'add', '-A');
  run(wt.path, 'commit', '-q', '-m', 'baton: phase A work');
  const tip = commit(s.repo, { 'other.txt': 'o\n' }, 'phase B');
  const outcome = await mergePhase({
    ...onMain(s.repo, wt, 'A', 'a'),
    verify: async () => passed(),
    recordMerging: () => undefined,
  });
  assert.equal(outcome.kind, 'merged');
  if (outcome.kind !== 'merged') return;
  assert.deepEqual(outcome.paths.sort(), ['old.txt', 'run.sh']);
  assert.equal(s.git('rev-parse', 'main^').trim(), tip);
  assert.match(s.git('ls-tree', 'main', 'run.sh'), /^100755 /);
  assert.equal(s.git('ls-tree', 'main', 'old.txt').trim(), '');
  assert.ok(!existsSync(join(s.repo, 'old.txt')));
  assert.ok((statSync(join(s.repo, 'run.sh')).mode & 0o111) !== 0, 'run.sh is executable in the checkout');
  assert.deepEqual(status(s.repo), []);
});

test('findPhaseCommit with a ref looks only there', async (t) => {
  const s = await setup(t);
  s.git('switch', '-q', '-c', 'other');
  const sha = commit(s.repo, { 'x.txt': 'x\n' }, phaseCommitMessage(PLAN, 'X', 'x'));
  s.git('switch', '-q', 'main');
  assert.equal(await findPhaseCommit(s.repo, PLAN, 'X', 'main'), null);
  assert.equal(await findPhaseCommit(s.repo, PLAN, 'X'), null, 'without a ref: HEAD\'s history, as before');
  assert.equal(await findPhaseCommit(s.repo, PLAN, 'X', 'other'), sha);
  assert.equal(await findPhaseCommit(s.repo, PLAN, 'X', 'no-such-branch'), null);
});

test('branchTip and commitsBehind', async (t) => {
  const s = await setup(t);
  const base = await branchTip(s.repo, 'main');
  commit(s.repo, { 'a.txt': 'a\n' }, 'one');
  const tip = commit(s.repo, { 'b.txt': 'b\n' }, 'two');
  assert.equal(await branchTip(s.repo, 'main'), tip);
  assert.equal(await commitsBehind(s.repo, base, 'main'), 2);
  assert.equal(await commitsBehind(s.repo, tip, 'main'), 0);
  await assert.rejects(branchTip(s.repo, 'nope'), (error: unknown) => error instanceof BatonError && error.kind === 'not-found');
});

test('a driver killed during the re-verification verifies again on resume; a stale index.lock in the worktree is cleared', async (t) => {
  const s = await setup(t);
  const wt = s.worktree('B');
  commit(wt.path, { 'b.txt': 'b\n' }, 'baton: phase B work');
  const tip = commit(s.repo, { 'a.txt': 'a\n' }, 'phase A');
  let base = wt.base;
  const merge = (verify: () => Promise<VerificationResult>) =>
    mergePhase({
      root: s.repo,
      branch: 'main',
      worktree: { ...wt, base },
      message: phaseCommitMessage(PLAN, 'B', 'b'),
      subdir: '',
      verify,
      recordMerging: () => undefined,
      onRebased: (moved) => (base = moved),
    });
  await assert.rejects(merge(async () => { throw new Error('killed'); }), /killed/);
  assert.equal(base, wt.base, 'not recorded as rebased while its verification had not answered');
  // A git killed mid-way left its lock behind.
  const lock = run(wt.path, 'rev-parse', '--path-format=absolute', '--git-path', 'index.lock').trim();
  writeFileSync(lock, '');
  const old = new Date(Date.now() - 60_000);
  utimesSync(lock, old, old);
  let verified = 0;
  const outcome = await merge(async () => {
    verified++;
    return passed();
  });
  assert.equal(outcome.kind, 'merged');
  assert.equal(verified, 1);
  assert.equal(base, tip);
  assert.ok(!existsSync(lock));
  assert.equal(s.git('rev-parse', 'main^').trim(), tip);
});

/** A lock file as a git killed mid-write leaves it, a minute old. */
function staleLock(repo: string, name: string): string {
  const lock = run(repo, 'rev-parse', '--path-format=absolute', '--git-path', name).trim();
  writeFileSync(lock, '');
  const old = new Date(Date.now() - 60_000);
  utimesSync(lock, old, old);
  return lock;
}

test('a lock on the plan branch left by a killed update-ref is cleared once stale, and the phase lands', async (t) => {
  const s = await setup(t);
  const wt = s.worktree('A');
  commit(wt.path, { 'a.txt': 'a\n' }, 'baton: phase A work');
  const lock = staleLock(s.repo, 'refs/heads/main.lock');
  const outcome = await mergePhase({ root: s.repo, branch: 'main', worktree: wt, message: phaseCommitMessage(PLAN, 'A', 'a'), subdir: '', verify: async () => passed(), recordMerging: () => undefined });
  assert.equal(outcome.kind, 'merged');
  assert.ok(!existsSync(lock));
  assert.equal(s.git('rev-parse', 'main^').trim(), wt.base);
  assert.deepEqual(status(s.repo), []);
});

test('the user\'s index lock left by a killed checkout update is cleared when no git runs in the repo; finishMerge completes', async (t) => {
  const s = await setup(t, { 'b.txt': 'b\n' });
  const wt = s.worktree('B');
  commit(wt.path, { 'b.txt': 'b by phase\n' }, 'baton: phase B work');
  const merge = await crashAfterRecord(s, wt, 'B');
  s.git('update-ref', 'refs/heads/main', merge.commit, merge.parent);
  const lock = staleLock(s.repo, 'index.lock');
  assert.deepEqual(await finishMerge({ root: s.repo, branch: 'main', merge }), { done: true, sha: merge.commit });
  assert.ok(!existsSync(lock));
  assert.equal(readFileSync(join(s.repo, 'b.txt'), 'utf8'), 'b by phase\n');
  assert.deepEqual(status(s.repo), []);
});
