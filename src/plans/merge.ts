import { execFile } from 'node:child_process';
import { lstat, readFile, readlink, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BatonError } from '../errors.js';
import { git } from '../baseline/git-tree.js';
import type { PhaseMerge, PhaseWorktree, VerificationResult } from '../store/plans.js';
import { clipCounted } from '../text.js';
import { commitIdentity, hashPaths } from './git-state.js';

// The merge queue's git side: one phase at a time onto the plan branch, previewed without touching any
// checkout, advanced by compare-and-swap, and recorded before the branch moves so a crash can finish it.

export type MergeOutcome =
  | { kind: 'merged'; sha: string; paths: string[] }
  | { kind: 'conflict'; conflicts: string[] }
  | { kind: 'verify-failed'; verification: VerificationResult }
  | { kind: 'user-work'; paths: string[] };

const REBASED_MESSAGE = 'baton: phase work rebased';
const CONFLICT_MERGE_MESSAGE = 'baton: merge the plan branch into the phase work';
/** Someone else moving the plan branch this often in a row is not a race to keep losing. */
const MAX_RACES = 3;
/** The other side's diff shown to the agent: enough to see the change, not a whole refactor. */
const OTHER_DIFF_LIMIT = 8_000;
/** Files larger than this are not read for conflict markers (git leaves none in binaries). */
const MARKER_SCAN_BYTES = 8 * 1024 * 1024;
/** What a conflict round remembers in the worktree's own git dir, so a resumed driver knows it. */
const CONFLICT_STATE_FILE = 'baton-conflict.json';
/** How long a lock in Baton's own worktree may be held by a git still finishing before it is removed. */
const STALE_LOCK_MS = 5_000;
/** How long the user's own git may hold their index while the checkout is brought up to a merged phase. */
const USER_LOCK_WAIT_MS = 10_000;
// Paths are file names, never patterns: `*.txt` is a file someone may have.
const LITERAL = { GIT_LITERAL_PATHSPECS: '1' };

/**
 * Merges one phase's branch onto the plan branch as exactly one commit carrying `message`. Order: preview
 * (merge-tree), replay onto a moved tip and verify again, refuse over the user's uncommitted work, record,
 * compare-and-swap the branch, then bring exactly the phase's paths into the user's checkout.
 */
export async function mergePhase(o: {
  root: string;
  branch: string;
  worktree: PhaseWorktree;
  message: string;
  subdir: string;
  verify: (dir: string) => Promise<VerificationResult>;
  recordMerging: (merge: PhaseMerge) => void;
  onRebased?: (base: string) => void;
}): Promise<MergeOutcome> {
  const { root, branch, worktree } = o;
  let base = worktree.base;
  for (let race = 1; ; race++) {
    const tip = await branchTip(root, branch);
    const { tree, conflicts } = await previewMerge(root, tip, worktree.branch);
    if (conflicts.length > 0) return { kind: 'conflict', conflicts };
    // The phase adds nothing the branch lacks: no commit, the driver says it changed no files.
    if (tree === (await treeOf(root, tip))) return { kind: 'merged', sha: tip, paths: [] };
    const paths = await changedPaths(root, tip, tree);
    const identity = await commitIdentity(root);
    if (tip !== base) {
      // What was verified sat on an older tip: verify the phase as it will land, in its own worktree.
      await assertOnPhaseBranch(worktree);
      await releaseStaleLock(worktree.path);
      const work = (await git(root, [...identity, 'commit-tree', tree, '-p', tip, '-m', REBASED_MESSAGE])).trim();
      await git(worktree.path, ['reset', '-q', '--hard', work]);
      base = tip;
      const verification = await o.verify(join(worktree.path, o.subdir));
      // Said only once verification has answered: a driver killed during it must verify again, not skip it.
      o.onRebased?.(tip);
      if (!verification.passed) return { kind: 'verify-failed', verification };
    }
    if (await isCheckedOut(root, branch)) {
      const dirty = new Set((await statusEntries(root)).map((entry) => entry.path));
      const overlap = paths.filter((p) => dirty.has(p));
      if (overlap.length > 0) return { kind: 'user-work', paths: overlap };
    }
    const commit = (await git(root, [...identity, 'commit-tree', tree, '-p', tip, '-m', o.message])).trim();
    const merge: PhaseMerge = { commit, parent: tip, paths };
    o.recordMerging(merge);
    if (!(await compareAndSwap(root, branch, commit, tip))) {
      if (race >= MAX_RACES) {
        throw new BatonError('conflict', `the branch ${branch} moved ${race} times while a phase was being merged onto it; nothing of the phase was merged`);
      }
      continue;
    }
    if (await isCheckedOut(root, branch)) await bringCheckoutTo(root, merge);
    return { kind: 'merged', sha: commit, paths };
  }
}

/**
 * After a crash in `merging`: the branch holds merge.commit → finish the user's checkout (idempotent) →
 * done; otherwise → not done (the driver queues the phase again). `kept` names paths the user edited
 * since: they are left as the user has them (the phase's version is in the commit, nothing is lost).
 */
export async function finishMerge(o: { root: string; branch: string; merge: PhaseMerge }): Promise<{ done: true; sha: string; kept?: string[] } | { done: false }> {
  const { root, branch, merge } = o;
  const tip = await branchTip(root, branch);
  if (!(await isAncestor(root, merge.commit, tip))) return { done: false };
  // Moved on since (the user committed on top): their checkout follows their own commits now.
  const kept = tip === merge.commit && (await isCheckedOut(root, branch)) ? await bringCheckoutTo(root, merge) : [];
  return { done: true, sha: merge.commit, ...(kept.length > 0 && { kept }) };
}

/** A phase's reason for blocking on a user-work outcome: what serial plans say, for a merge. */
export function userWorkReason(paths: string[]): string {
  return `the phase changed ${paths.join(', ')}, which holds your uncommitted changes; nothing of it was merged. Commit or stash your work there, then baton plan resume`;
}

/** A phase's reason for blocking when its conflict rounds are spent: its worktree and branch are kept. */
export function conflictReason(paths: string[]): string {
  return `conflicts with what was merged since it started: ${paths.join(', ')}`;
}

/** The plan branch's commit. */
export async function branchTip(root: string, branch: string): Promise<string> {
  const out = await git(root, ['rev-parse', '--verify', '-q', `refs/heads/${branch}^{commit}`]).catch(() => '');
  if (!out.trim()) throw new BatonError('not-found', `the branch ${branch} does not exist in ${root}`);
  return out.trim();
}

/** How many commits the plan branch has that `base` (a phase's starting point) lacks. */
export async function commitsBehind(root: string, base: string, branch: string): Promise<number> {
  return Number((await git(root, ['rev-list', '--count', `${base}..refs/heads/${branch}`])).trim());
}

/**
 * In the worktree: `git merge --no-ff --no-commit <tip>`, leaving markers; returns the conflicted paths and
 * a follow-up prompt for the agent naming them and showing what the other side changed there. A merge of
 * this tip already under way (a resumed driver) is kept as it is.
 */
export async function startConflictResolution(o: { root: string; worktree: PhaseWorktree; tip: string; otherPhases?: string[] }): Promise<{ conflicts: string[]; prompt: string }> {
  const { worktree, tip } = o;
  const dir = worktree.path;
  await assertOnPhaseBranch(worktree);
  await releaseStaleLock(dir);
  let state = await readConflictState(dir);
  const mergeHead = await readMergeHead(dir);
  if (mergeHead !== null && (mergeHead !== tip || state?.tip !== tip)) {
    await abortConflictResolution(dir);
    state = null;
  }
  if (state === null || mergeHead === null) {
    const before = (await git(dir, ['rev-parse', 'HEAD'])).trim();
    const identity = await commitIdentity(dir);
    const result = await gitExit(dir, [...identity, 'merge', '--no-ff', '--no-commit', '--no-edit', tip], LITERAL);
    if ((await readMergeHead(dir)) === null && !(await isAncestor(dir, tip, before))) {
      throw new BatonError('runtime', `git merge of ${tip.slice(0, 12)} into ${worktree.branch} failed in ${dir}: ${(result.stderr || result.stdout).trim()}`);
    }
    const conflicts = await unmergedPaths(dir);
    state = { tip, conflicts, left: await hashPaths(dir, conflicts, Infinity) };
    await writeConflictState(dir, state);
  }
  const conflicts = state.conflicts;
  return { conflicts, prompt: conflictPrompt(conflicts, await otherSideDiff(dir, tip, conflicts), o.otherPhases ?? []) };
}

/**
 * After the agent's run: unmerged entries or conflict markers left → resolved:false with those paths;
 * else the merge is committed in the worktree (exclude(path) paths not added) and its new base (the tip)
 * returned.
 */
export async function finishConflictResolution(o: {
  worktree: PhaseWorktree;
  exclude: (path: string) => boolean;
}): Promise<{ resolved: true; base: string } | { resolved: false; unresolved: string[] }> {
  const dir = o.worktree.path;
  const state = await readConflictState(dir);
  const mergeHead = await readMergeHead(dir);
  const tip = mergeHead ?? state?.tip;
  if (!tip) throw new BatonError('runtime', `no conflict resolution is under way in ${dir}`);
  const unmerged = await unmergedPaths(dir);
  const watched = unique([...(state?.conflicts ?? []), ...unmerged]);
  const now = await hashPaths(dir, watched, Infinity);
  const unresolved: string[] = [];
  for (const path of watched) {
    if (await hasConflictMarkers(join(dir, path))) unresolved.push(path);
    // An agent that edited a conflicted file clean but did not `git add` it has still resolved it; one
    // left as git left it (a delete/modify conflict, a binary) has not.
    else if (unmerged.includes(path) && (state === null || now[path] === state.left[path])) unresolved.push(path);
  }
  if (unresolved.length > 0) return { resolved: false, unresolved };
  if (mergeHead === null) {
    // The agent ended the merge itself: committed (fine, the tip is in) or aborted (nothing resolved).
    if (!(await isAncestor(dir, tip, 'HEAD'))) return { resolved: false, unresolved: state?.conflicts ?? [] };
  } else {
    await commitMerge(dir, mergeHead, unmerged, o.exclude);
  }
  await removeConflictState(dir);
  return { resolved: true, base: tip };
}

/** Gives up a conflict round: the worktree is back at the phase's own work, markers gone. */
export async function abortConflictResolution(worktreePath: string): Promise<void> {
  if ((await readMergeHead(worktreePath)) !== null) {
    await releaseStaleLock(worktreePath);
    await git(worktreePath, ['merge', '--abort']).catch(() => git(worktreePath, ['reset', '-q', '--hard', 'HEAD']));
  }
  await removeConflictState(worktreePath);
}

export async function conflictInProgress(worktreePath: string): Promise<boolean> {
  return (await readMergeHead(worktreePath)) !== null;
}

// --- the plan branch ---------------------------------------------------------------------------------

async function previewMerge(root: string, tip: string, phaseBranch: string): Promise<{ tree: string; conflicts: string[] }> {
  const result = await gitExit(root, ['merge-tree', '--write-tree', '--no-messages', '--name-only', '-z', tip, `refs/heads/${phaseBranch}`]);
  // merge-tree: 0 clean, 1 conflicts; anything else is git failing (no such branch, no merge base).
  if (result.code !== 0 && result.code !== 1) {
    throw new BatonError('runtime', `git merge-tree of ${phaseBranch} onto ${tip.slice(0, 12)} failed in ${root}: ${result.stderr.trim()}`);
  }
  const [tree, ...rest] = result.stdout.split('\0');
  return { tree: tree!.trim(), conflicts: result.code === 1 ? unique(rest.filter(Boolean)) : [] };
}

async function treeOf(root: string, commit: string): Promise<string> {
  return (await git(root, ['rev-parse', `${commit}^{tree}`])).trim();
}

async function changedPaths(root: string, from: string, to: string): Promise<string[]> {
  return (await git(root, ['diff-tree', '-r', '-z', '--name-only', '--no-renames', from, to])).split('\0').filter(Boolean);
}

async function compareAndSwap(root: string, branch: string, commit: string, expected: string): Promise<boolean> {
  try {
    await git(root, ['update-ref', '-m', 'baton: merge plan phase', `refs/heads/${branch}`, commit, expected]);
    return true;
  } catch (error) {
    const now = await branchTip(root, branch).catch(() => null);
    if (now !== expected) return false;
    throw error;
  }
}

/** Paths with uncommitted changes (staged, unstaged, untracked), each with its worktree column of `git status`. */
async function statusEntries(dir: string): Promise<{ path: string; worktree: string }[]> {
  const out = await git(dir, ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--no-renames']);
  return out
    .split('\0')
    .filter((entry) => entry.length > 3)
    .map((entry) => ({ path: entry.slice(3), worktree: entry[1]! }));
}

async function isCheckedOut(root: string, branch: string): Promise<boolean> {
  const head = (await git(root, ['symbolic-ref', '-q', 'HEAD']).catch(() => '')).trim();
  return head === `refs/heads/${branch}`;
}

async function isAncestor(cwd: string, ancestor: string, descendant: string): Promise<boolean> {
  return (await gitExit(cwd, ['merge-base', '--is-ancestor', ancestor, descendant])).code === 0;
}

// --- the user's checkout -----------------------------------------------------------------------------

/**
 * Brings exactly merge.paths in the user's index and working tree to merge.commit (additions, edits,
 * deletions, modes), nothing else. A path whose index entry is neither the parent's nor the commit's
 * version holds the user's own staged edit: left alone. One whose file alone is the user's: its index
 * entry follows the commit (so the commit is not shown as undone) and the file stays. Both are returned.
 */
async function bringCheckoutTo(root: string, merge: PhaseMerge): Promise<string[]> {
  if (merge.paths.length === 0) return [];
  const sides = await treeSides(root, merge.parent, merge.commit);
  const index = await indexBlobs(root);
  const working = await workingBlobs(root, merge.paths);
  const write: string[] = [];
  const remove: string[] = [];
  const indexOnly: string[] = [];
  const kept: string[] = [];
  for (const path of merge.paths) {
    const { before, after, afterMode } = sides.get(path) ?? {};
    const known = (blob: string | undefined) => blob === before || blob === after;
    if (!known(index.get(path))) kept.push(path);
    else if (!known(working.get(path))) {
      kept.push(path);
      indexOnly.push(after === undefined ? `0 ${before}\t${path}` : `${afterMode} ${after}\t${path}`);
    } else if (after === undefined) remove.push(path);
    else write.push(path);
  }
  if (indexOnly.length > 0) await whileUserGitRuns(() => git(root, ['update-index', '-z', '--index-info'], {}, { input: indexOnly.join('\0') + '\0' }));
  // Deletions first: a file that became a directory (or back) needs the old one gone.
  if (remove.length > 0) {
    await whileUserGitRuns(() => git(root, ['rm', '-q', '--cached', '--ignore-unmatch', '--pathspec-from-file=-', '--pathspec-file-nul'], LITERAL, { input: remove.join('\0') }));
    for (const path of remove) {
      await rm(join(root, path), { force: true });
      await removeEmptyParents(root, path);
    }
  }
  if (write.length > 0) {
    await whileUserGitRuns(() => git(root, ['checkout', merge.commit, '--pathspec-from-file=-', '--pathspec-file-nul'], LITERAL, { input: write.join('\0') }));
  }
  return kept;
}

/** Each changed path's blob before and after (undefined: absent on that side). */
async function treeSides(root: string, parent: string, commit: string): Promise<Map<string, { before?: string; after?: string; afterMode?: string }>> {
  const out = (await git(root, ['diff-tree', '-r', '-z', '--no-renames', parent, commit])).split('\0');
  const sides = new Map<string, { before?: string; after?: string; afterMode?: string }>();
  for (let i = 0; i + 1 < out.length; i += 2) {
    const [, afterMode, beforeSha, afterSha] = out[i]!.slice(1).split(' ');
    sides.set(out[i + 1]!, { before: realBlob(beforeSha), after: realBlob(afterSha), afterMode });
  }
  return sides;
}

function realBlob(sha: string | undefined): string | undefined {
  return sha && !/^0+$/.test(sha) ? sha : undefined;
}

/** The user's index: path → blob ('unmerged' for a path in conflict). */
async function indexBlobs(root: string): Promise<Map<string, string>> {
  const blobs = new Map<string, string>();
  for (const entry of (await git(root, ['ls-files', '--stage', '-z'])).split('\0')) {
    if (!entry) continue;
    const tab = entry.indexOf('\t');
    const [, sha, stage] = entry.slice(0, tab).split(' ');
    blobs.set(entry.slice(tab + 1), stage === '0' ? sha! : 'unmerged');
  }
  return blobs;
}

/** The blob each working file would make (as `git add` would, filters included); absent paths are left out. */
async function workingBlobs(root: string, paths: string[]): Promise<Map<string, string>> {
  const blobs = new Map<string, string>();
  const files: string[] = [];
  for (const path of paths) {
    const stat = await lstat(join(root, path)).catch(() => null);
    if (stat === null) continue;
    if (stat.isSymbolicLink()) {
      const target = await readlink(join(root, path));
      blobs.set(path, (await git(root, ['hash-object', '-t', 'blob', '--stdin'], {}, { input: target })).trim());
    } else if (stat.isFile()) files.push(path);
    else blobs.set(path, 'directory');
  }
  if (files.length > 0) {
    const hashes = (await git(root, ['hash-object', '--stdin-paths'], {}, { input: files.join('\n') + '\n' })).trim().split('\n');
    files.forEach((path, i) => blobs.set(path, hashes[i] ?? ''));
  }
  return blobs;
}

/**
 * The user's own git holds their index lock for a moment (an editor's status poll, a commit): wait it
 * out, bounded. Their lock is never removed: only they know whether it is stale.
 */
async function whileUserGitRuns<T>(step: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + USER_LOCK_WAIT_MS;
  for (;;) {
    try {
      return await step();
    } catch (error) {
      if (!/index\.lock/.test(String(error)) || Date.now() > deadline) throw error;
      await sleep(100);
    }
  }
}

async function removeEmptyParents(root: string, path: string): Promise<void> {
  for (let dir = dirname(path); dir !== '.' && dir !== ''; dir = dirname(dir)) {
    if (!(await rmdir(join(root, dir)).then(() => true, () => false))) return;
  }
}

// --- the phase's worktree ----------------------------------------------------------------------------

async function assertOnPhaseBranch(worktree: PhaseWorktree): Promise<void> {
  const head = (await git(worktree.path, ['symbolic-ref', '-q', 'HEAD']).catch(() => '')).trim();
  if (head !== `refs/heads/${worktree.branch}`) {
    throw new BatonError('conflict', `the worktree ${worktree.path} is on ${head || 'a detached HEAD'}, not on ${worktree.branch}; Baton leaves it as it is`);
  }
}

/**
 * A git killed with the driver leaves `index.lock` in the phase's worktree, and every later git there
 * fails. Nothing but Baton writes in its worktree while a merge step runs (the agent is not running), so
 * a lock that stays is stale; a young one may be an orphaned git finishing, so it gets a moment first.
 */
async function releaseStaleLock(dir: string): Promise<void> {
  const lock = await gitPath(dir, 'index.lock');
  const deadline = Date.now() + STALE_LOCK_MS;
  for (;;) {
    const stat = await lstat(lock).catch(() => null);
    if (stat === null) return;
    if (Date.now() - stat.mtimeMs > STALE_LOCK_MS || Date.now() > deadline) {
      await rm(lock, { force: true });
      return;
    }
    await sleep(100);
  }
}

async function readMergeHead(dir: string): Promise<string | null> {
  const path = await gitPath(dir, 'MERGE_HEAD');
  return (await readFile(path, 'utf8').catch(() => '')).trim().split('\n')[0] || null;
}

async function unmergedPaths(dir: string): Promise<string[]> {
  const out = await git(dir, ['ls-files', '--unmerged', '-z']);
  return unique(out.split('\0').filter(Boolean).map((entry) => entry.slice(entry.indexOf('\t') + 1)));
}

async function hasConflictMarkers(path: string): Promise<boolean> {
  const stat = await lstat(path).catch(() => null);
  if (stat === null || !stat.isFile() || stat.size > MARKER_SCAN_BYTES) return false;
  // `=======` alone is a Markdown heading underline; the outer markers are what git leaves every time.
  return /^(?:<{7}|>{7})(?: |$)/m.test(await readFile(path, 'utf8'));
}

/** Stages the resolution and commits the merge with plumbing: no user hooks, no editor. */
async function commitMerge(dir: string, mergeHead: string, unmerged: string[], exclude: (path: string) => boolean): Promise<void> {
  // Only what differs from the index: a path already staged (a `git rm` the agent ran) matches no file left to add.
  const changed = (await statusEntries(dir)).filter((entry) => entry.worktree !== ' ').map((entry) => entry.path);
  // An unmerged path must be staged whatever it is: git cannot write a tree with a conflict in it.
  const add = unique([...changed.filter((path) => !exclude(path)), ...unmerged]);
  await releaseStaleLock(dir);
  if (add.length > 0) await git(dir, ['add', '-A', '--pathspec-from-file=-', '--pathspec-file-nul'], LITERAL, { input: add.join('\0') });
  const tree = (await git(dir, ['write-tree'])).trim();
  const head = (await git(dir, ['rev-parse', 'HEAD'])).trim();
  const identity = await commitIdentity(dir);
  const commit = (await git(dir, [...identity, 'commit-tree', tree, '-p', head, '-p', mergeHead, '-m', CONFLICT_MERGE_MESSAGE])).trim();
  await git(dir, ['update-ref', '-m', 'baton: conflict resolved', 'HEAD', commit, head]);
  await git(dir, ['merge', '--quit']);
}

interface ConflictState {
  tip: string;
  conflicts: string[];
  /** Each conflicted file's content as git left it: one that differs now was edited since. */
  left: Record<string, string>;
}

async function readConflictState(dir: string): Promise<ConflictState | null> {
  try {
    return JSON.parse(await readFile(await gitPath(dir, CONFLICT_STATE_FILE), 'utf8')) as ConflictState;
  } catch {
    return null;
  }
}

async function writeConflictState(dir: string, state: ConflictState): Promise<void> {
  await writeFile(await gitPath(dir, CONFLICT_STATE_FILE), JSON.stringify(state));
}

async function removeConflictState(dir: string): Promise<void> {
  await rm(await gitPath(dir, CONFLICT_STATE_FILE), { force: true });
}

async function gitPath(dir: string, name: string): Promise<string> {
  return (await git(dir, ['rev-parse', '--path-format=absolute', '--git-path', name])).trim();
}

// --- the agent's prompt ------------------------------------------------------------------------------

async function otherSideDiff(dir: string, tip: string, paths: string[]): Promise<string> {
  if (paths.length === 0) return '';
  const base = (await git(dir, ['merge-base', 'HEAD', tip]).catch(() => '')).trim();
  if (!base) return '';
  const diff = await git(dir, ['diff', '--no-ext-diff', '--no-color', base, tip, '--', ...paths], LITERAL).catch(() => '');
  return clipCounted(diff.trim(), OTHER_DIFF_LIMIT);
}

function conflictPrompt(conflicts: string[], diff: string, otherPhases: string[]): string {
  const who = otherPhases.length > 0 ? ` (${otherPhases.join(', ')})` : '';
  const list = conflicts.map((path) => `- ${path}`).join('\n');
  const fence = '`'.repeat(Math.max(3, ...[...diff.matchAll(/`+/g)].map((m) => m[0].length + 1)));
  const shown = diff ? `\n\nWhat the other side changed there:\n\n${fence}diff\n${diff}\n${fence}` : '';
  return (
    `While you worked on this phase, other work was merged into the plan's branch${who}, and it changes the same places as yours. ` +
    `Git has merged it into your worktree and left conflict markers (<<<<<<<, =======, >>>>>>>) in:\n\n${list}${shown}\n\n` +
    'Resolve every conflict so each file keeps both your phase\'s intent and the other change, remove every conflict marker, ' +
    'and mark each file resolved with `git add <path>` (or `git rm <path>`). Do not commit, abort the merge or reset: Baton commits the merge and runs the verification again.'
  );
}

// --- git with its exit code ---------------------------------------------------------------------------

interface GitExit {
  code: number;
  stdout: string;
  stderr: string;
}

/** For the git commands whose exit code is an answer (merge-tree, merge, merge-base --is-ancestor). */
function gitExit(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<GitExit> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      ['-c', 'core.quotepath=off', '-c', 'core.autocrlf=false', '-c', 'color.ui=never', ...args],
      { cwd, env: { ...process.env, GIT_OPTIONAL_LOCKS: '0', ...env }, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') reject(new Error(`git ${args.join(' ')} failed in ${cwd}: ${String(stderr).trim() || error.message}`));
        else resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
      },
    );
  });
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}
