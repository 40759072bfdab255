/**
 * A parallel plan's phases each work in a git worktree of their own, on a branch of their own, in a
 * folder Baton owns outside the user's checkout: made (or found again after a crash), prepared
 * (`.worktreeinclude` files copied, `setup` run), the agent's work committed on the phase branch, and
 * removed once merged. `baton plan clean` removes what a stopped or blocked plan left.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, lstatSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, readlink, rm, rmdir, symlink } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { diffTrees, git, gitWithPathspecs } from '../baseline/git-tree.js';
import { BatonError } from '../errors.js';
import type { PhaseWorktree } from '../store/plans.js';
import { commitIdentity, hashPaths, type DirtySnapshot } from './git-state.js';
import { runShell } from './verify.js';

/** Every phase branch lives under this namespace, then the plan run's id: never one of the user's names. */
const BRANCH_NAMESPACE = 'baton';
const SETUP_TIMEOUT_MS = 10 * 60_000;
const SETUP_OUTPUT_TAIL = 2_000;

/**
 * A phase id as one path segment and one ref component. Ids are free text in plans, so anything git or
 * a file system would misread becomes `-`; a changed id gets a hash of the original so `a b` and `a-b`
 * never share a branch.
 */
function phaseSlug(phaseId: string): string {
  let slug = phaseId.replace(/[^A-Za-z0-9._-]/g, '-').replace(/\.{2,}/g, '-').replace(/^\./, '_').replace(/\.$/, '_').replace(/\.lock$/i, '_lock');
  if (slug.length > 60) slug = slug.slice(0, 60);
  if (slug === phaseId && slug.length > 0) return slug;
  const hash = createHash('sha256').update(phaseId).digest('hex').slice(0, 8);
  return `${slug || 'phase'}-${hash}`;
}

export function phaseBranch(planRunId: string, phaseId: string): string {
  return `${BRANCH_NAMESPACE}/${planRunId}/${phaseSlug(phaseId)}`;
}

function planWorktreesDir(home: string, planRunId: string): string {
  return join(home, 'worktrees', planRunId);
}

export function phaseWorktreePath(home: string, planRunId: string, phaseId: string): string {
  return join(planWorktreesDir(home, planRunId), phaseSlug(phaseId));
}

interface RegisteredWorktree {
  path: string;
  /** `refs/heads/…`, or null on a detached HEAD. */
  ref: string | null;
}

async function listWorktrees(root: string): Promise<RegisteredWorktree[]> {
  const out = await git(root, ['worktree', 'list', '--porcelain', '-z']);
  const worktrees: RegisteredWorktree[] = [];
  let current: RegisteredWorktree | null = null;
  for (const line of out.split('\0')) {
    if (line.startsWith('worktree ')) {
      current = { path: line.slice('worktree '.length), ref: null };
      worktrees.push(current);
    } else if (line.startsWith('branch ') && current) current.ref = line.slice('branch '.length);
  }
  return worktrees;
}

async function branchExists(root: string, branch: string): Promise<boolean> {
  return git(root, ['show-ref', '--verify', '-q', `refs/heads/${branch}`]).then(() => true, () => false);
}

/** The same folder whichever way it is spelled (a symlinked /tmp, a trailing slash). */
function samePath(a: string, b: string): boolean {
  return resolve(a) === resolve(b);
}

const worktreeOps = new Map<string, Promise<unknown>>();

/**
 * One `git worktree` change at a time per repository: `worktree add` reads every other worktree's
 * metadata, and fails ("failed to read .git/worktrees/X/commondir") while a sibling is being made.
 */
function oneAtATime<T>(root: string, op: () => Promise<T>): Promise<T> {
  const key = resolve(root);
  const result = (worktreeOps.get(key) ?? Promise.resolve()).then(op, op);
  const settled = result.then(() => undefined, () => undefined);
  worktreeOps.set(key, settled);
  void settled.then(() => {
    if (worktreeOps.get(key) === settled) worktreeOps.delete(key);
  });
  return result;
}

/**
 * Makes the phase's worktree on its own branch from `base`, or finds it again after a crash
 * (idempotent: `git worktree prune` first; existing registered worktree on the branch → reused; branch
 * exists without a worktree → worktree added for it; a stale folder → removed and re-made).
 */
export function ensurePhaseWorktree(o: { root: string; home: string; planRunId: string; phaseId: string; base: string }): Promise<PhaseWorktree> {
  return oneAtATime(o.root, () => makeOrFindWorktree(o));
}

async function makeOrFindWorktree(o: { root: string; home: string; planRunId: string; phaseId: string; base: string }): Promise<PhaseWorktree> {
  const branch = phaseBranch(o.planRunId, o.phaseId);
  const path = phaseWorktreePath(o.home, o.planRunId, o.phaseId);
  await dropHalfRegistered(o.root, path);
  await git(o.root, ['worktree', 'prune']);
  const worktrees = await listWorktrees(o.root);
  const registered = worktrees.find((w) => w.ref === `refs/heads/${branch}`);
  if (registered && samePath(registered.path, path) && existsSync(join(path, '.git')) && !(await halfMade(path))) {
    return { path, branch, base: await forkPoint(o.root, branch, o.base), prepared: false };
  }
  // On the branch somewhere else (another BATON_HOME: git refuses a branch checked out twice), or a
  // registration of this folder a killed `worktree add` left locked, which prune keeps.
  for (const stale of worktrees.filter((w) => w === registered || samePath(w.path, path))) {
    if (stale !== registered && existsSync(join(path, '.git')) && !(await halfMade(path))) {
      // Whole, but moved off its branch (an agent's own `git checkout`): its work is not Baton's to throw away.
      throw new BatonError('conflict', `the phase worktree ${path} is on ${stale.ref?.replace(/^refs\/heads\//, '') ?? 'a detached HEAD'}, not on ${branch}; check out ${branch} there, or remove the worktree, then resume`);
    }
    await git(o.root, ['worktree', 'unlock', stale.path]).catch(() => undefined);
    await git(o.root, ['worktree', 'remove', '--force', '--force', stale.path]).catch(() => undefined);
  }
  await git(o.root, ['worktree', 'prune']);
  if (existsSync(path)) {
    // A folder git no longer knows (a killed `worktree add`, a copy): Baton's own, made again.
    await git(o.root, ['worktree', 'remove', '--force', '--force', path]).catch(() => undefined);
    await rm(path, { recursive: true, force: true });
    await git(o.root, ['worktree', 'prune']);
  }
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  // A `git branch` killed while making the phase branch leaves its ref lock; only Baton writes that ref.
  const commonDir = (await git(o.root, ['rev-parse', '--path-format=absolute', '--git-common-dir'])).trim();
  await rm(join(commonDir, 'refs', 'heads', `${branch}.lock`), { force: true });
  if (await branchExists(o.root, branch)) {
    await git(o.root, ['worktree', 'add', '-q', path, branch]);
    return { path, branch, base: await forkPoint(o.root, branch, o.base), prepared: false };
  }
  await git(o.root, ['worktree', 'add', '-q', '--no-track', '-b', branch, path, o.base]);
  return { path, branch, base: o.base, prepared: false };
}

/**
 * A `git worktree add` killed while it wrote its registration's `commondir` leaves it empty, and every
 * later `git worktree` command dies on it ("failed to read .../commondir"), prune included. Only this folder's
 * is removed (its `gitdir` names it; or, written before that, its name is the folder's): a registration
 * of the user's being made right now is not Baton's to touch.
 */
async function dropHalfRegistered(root: string, path: string): Promise<void> {
  const commonDir = (await git(root, ['rev-parse', '--path-format=absolute', '--git-common-dir'])).trim();
  const admin = join(commonDir, 'worktrees');
  const names = await readdir(admin).catch(() => [] as string[]);
  const folder = basename(path);
  for (const name of names) {
    const registration = join(admin, name);
    const commondir = await readFile(join(registration, 'commondir'), 'utf8').catch(() => null);
    if (commondir === null || commondir.trim() !== '') continue;
    const gitdir = (await readFile(join(registration, 'gitdir'), 'utf8').catch(() => '')).trim();
    const ours = gitdir ? samePath(dirname(gitdir), path) : name === folder || (name.startsWith(folder) && /^\d+$/.test(name.slice(folder.length)));
    if (ours) await rm(registration, { recursive: true, force: true });
  }
}

/**
 * `git worktree add` keeps a `locked` file in the worktree's admin dir until its checkout is done (Baton
 * never locks one itself): one still there was killed mid-checkout, and its missing files would read as
 * the agent's deletions.
 */
async function halfMade(worktree: string): Promise<boolean> {
  const gitDir = (await git(worktree, ['rev-parse', '--absolute-git-dir']).catch(() => '')).trim();
  return !gitDir || existsSync(join(gitDir, 'locked'));
}

/**
 * Where a branch found again left the plan branch: its own commits stay its own, and what the plan
 * branch gained since counts as "behind", not as the phase's.
 */
async function forkPoint(root: string, branch: string, base: string): Promise<string> {
  return (await git(root, ['merge-base', branch, base]).catch(() => base)).trim() || base;
}

/** A setup line that failed: its own reason, never counted against the agent. */
export class SetupFailed extends Error {
  constructor(
    readonly command: string,
    readonly exitCode: number | null,
    readonly output: string,
    timedOutAfterMs?: number,
  ) {
    const how = timedOutAfterMs !== undefined ? `timed out after ${Math.round(timedOutAfterMs / 1000)}s` : `failed (exit ${exitCode ?? 'none'})`;
    const tail = output.trim();
    super(`setup \`${command}\` ${how}${tail ? `: ${tail}` : ''}`);
    this.name = 'SetupFailed';
  }
}

/**
 * Copies the files `.worktreeinclude` (repo root; gitignore-like lines: paths, dirs, simple globs, #
 * comments) names from the user's checkout into the worktree (git-ignored files such as .env), then
 * runs `setup` there through `sh -c` (it is the plan author's shell line, like verify) with a timeout,
 * in its own process group. Returns what it copied and a DirtySnapshot of every path that is dirty or
 * untracked in the worktree after setup (so those are never taken for the agent's work).
 */
export async function preparePhaseWorktree(o: { root: string; worktree: string; setup?: string; env: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<{ copied: string[]; preexisting: DirtySnapshot }> {
  const copied = await copyIncludedFiles(o.root, o.worktree);
  if (o.setup && o.setup.trim()) {
    const timeoutMs = o.timeoutMs ?? SETUP_TIMEOUT_MS;
    const { exitCode, output, timedOut } = await runShell(o.setup, o.worktree, o.env, timeoutMs, 'setup');
    if (exitCode !== 0) throw new SetupFailed(o.setup, exitCode, output.slice(-SETUP_OUTPUT_TAIL), timedOut ? timeoutMs : undefined);
  }
  return { copied, preexisting: await hashPaths(o.worktree, await dirtyPaths(o.worktree)) };
}

/**
 * `.worktreeinclude` is read with git's own ignore matching (`ls-files --others --ignored
 * --exclude-from`), so its lines mean what the same lines mean in .gitignore; only untracked files
 * inside the checkout are listed, so `../` reaches nothing, and a listed file that is missing is none.
 */
async function copyIncludedFiles(root: string, worktree: string): Promise<string[]> {
  const list = join(root, '.worktreeinclude');
  if (!existsSync(list)) return [];
  const out = await git(root, ['ls-files', '-z', '--others', '--ignored', `--exclude-from=${list}`]);
  const copied: string[] = [];
  for (const path of out.split('\0').filter(Boolean)) {
    const from = join(root, path);
    const to = join(worktree, path);
    if (!insideOf(worktree, to)) continue;
    let stat;
    try {
      stat = lstatSync(from);
    } catch {
      continue; // gone since git listed it
    }
    await mkdir(dirname(to), { recursive: true });
    await rm(to, { force: true });
    // A symlink is copied as the link: following it could copy what lies outside the checkout.
    if (stat.isSymbolicLink()) await symlink(await readlink(from), to);
    else if (stat.isFile()) await copyFile(from, to);
    else continue;
    copied.push(path);
  }
  return copied;
}

function insideOf(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !rel.startsWith(sep);
}

/** Paths `git status` reports in a checkout: staged, unstaged or untracked (not ignored). */
async function dirtyPaths(dir: string): Promise<string[]> {
  const out = await git(dir, ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--no-renames']);
  const paths: string[] = [];
  for (const entry of out.split('\0')) if (entry.length > 3) paths.push(entry.slice(3));
  return paths;
}

/**
 * Commits, on the phase branch in the worktree, what the agent changed: every dirty/untracked path
 * except exclude(path) and paths unchanged since `preexisting`. Message as given. Nothing to commit →
 * returns the current HEAD and paths []. Safe to call again after a crash.
 */
export async function commitPhaseWork(o: { worktree: string; message: string; exclude: (path: string) => boolean; preexisting: DirtySnapshot }): Promise<{ sha: string; paths: string[] }> {
  const { worktree } = o;
  const head = (await git(worktree, ['rev-parse', '--verify', 'HEAD'])).trim();
  const candidates = (await dirtyPaths(worktree)).filter((p) => !o.exclude(p));
  const now = await hashPaths(worktree, candidates);
  const paths = candidates.filter((p) => o.preexisting[p] === undefined || o.preexisting[p] !== now[p]);
  if (paths.length === 0) return { sha: head, paths: [] };
  // A throwaway index from HEAD: whatever setup staged in the real one stays out of the commit.
  const gitDir = (await git(worktree, ['rev-parse', '--absolute-git-dir'])).trim();
  const index = join(gitDir, `baton-work-index-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    const env = { GIT_INDEX_FILE: index };
    await git(worktree, ['read-tree', head], env);
    // Deleted paths go by name: `add` refuses a pathspec that matches nothing (a deletion already committed before a crash).
    const [present, absent] = partition(paths, (p) => existsOrLink(join(worktree, p)));
    if (present.length > 0) await gitWithPathspecs(worktree, ['add', '-A'], present.map((p) => `:(top,literal)${p}`), env);
    if (absent.length > 0) await git(worktree, ['update-index', '--force-remove', '-z', '--stdin'], env, { input: absent.join('\0') });
    const tree = (await git(worktree, ['write-tree'], env)).trim();
    const headTree = (await git(worktree, ['rev-parse', `${head}^{tree}`])).trim();
    const changed = (await diffTrees(worktree, headTree, tree)).map((c) => c.path);
    if (changed.length > 0) {
      const identity = await commitIdentity(worktree);
      const commit = (await git(worktree, [...identity, 'commit-tree', tree, '-p', head, '-m', o.message])).trim();
      // Compare-and-swap: a branch someone moved meanwhile is not overwritten.
      await git(worktree, ['update-ref', '-m', 'baton: phase work', 'HEAD', commit, head]);
    }
    // The real index follows HEAD for these paths, so a second call (after a crash too) finds nothing left.
    if (paths.length > 0) await gitWithPathspecs(worktree, ['reset', '-q', 'HEAD'], paths.map((p) => `:(top,literal)${p}`)).catch(() => undefined);
    return { sha: (await git(worktree, ['rev-parse', '--verify', 'HEAD'])).trim(), paths: changed };
  } finally {
    await rm(index, { force: true });
    await rm(`${index}.lock`, { force: true });
  }
}

function partition<T>(items: T[], test: (item: T) => boolean): [T[], T[]] {
  const yes: T[] = [];
  const no: T[] = [];
  for (const item of items) (test(item) ? yes : no).push(item);
  return [yes, no];
}

function existsOrLink(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function isPhaseBranch(branch: string): boolean {
  return branch.startsWith(`${BRANCH_NAMESPACE}/`);
}

/** `git worktree remove --force`, branch deleted, prune; tolerates either already gone. */
export function removePhaseWorktree(root: string, worktree: { path: string; branch: string }): Promise<void> {
  return oneAtATime(root, async () => {
    await removeWorktreeFolder(root, worktree.path);
    // Only ever a Baton branch: a corrupt record must not take a user's branch with it.
    if (isPhaseBranch(worktree.branch)) await git(root, ['branch', '-D', '-q', worktree.branch]).catch(() => undefined);
    await git(root, ['worktree', 'prune']).catch(() => undefined);
  });
}

async function removeWorktreeFolder(root: string, path: string): Promise<void> {
  await git(root, ['worktree', 'remove', '--force', '--force', path]).catch(() => undefined);
  if (!existsSync(path)) return;
  // git would not (not registered any more, or half made): a folder holding a worktree's `.git` file is Baton's own.
  let gitEntry;
  try {
    gitEntry = lstatSync(join(path, '.git'));
  } catch {
    gitEntry = null;
  }
  if (gitEntry === null || gitEntry.isFile()) await rm(path, { recursive: true, force: true });
}

/** What a plan run left: worktree folders under <home>/worktrees/<planRunId>/ and branches baton/<planRunId>/*. */
export async function planLeftovers(root: string, home: string, planRunId: string): Promise<{ worktrees: string[]; branches: string[] }> {
  const dir = planWorktreesDir(home, planRunId);
  const worktrees = new Set<string>();
  for (const entry of await readdir(dir).catch(() => [] as string[])) worktrees.add(join(dir, entry));
  const prefix = `refs/heads/${BRANCH_NAMESPACE}/${planRunId}/`;
  const registered = await listWorktrees(root).catch(() => [] as RegisteredWorktree[]);
  for (const w of registered) if (w.ref?.startsWith(prefix) && existsSync(w.path)) worktrees.add(w.path);
  const refs = await git(root, ['for-each-ref', '--format=%(refname)', prefix]).catch(() => '');
  const branches = refs.split('\n').filter(Boolean).map((ref) => ref.slice('refs/heads/'.length));
  return { worktrees: [...worktrees].sort(), branches: branches.sort() };
}

export function removePlanLeftovers(root: string, home: string, planRunId: string): Promise<{ worktrees: string[]; branches: string[] }> {
  return oneAtATime(root, async () => {
    const left = await planLeftovers(root, home, planRunId);
    for (const path of left.worktrees) await removeWorktreeFolder(root, path);
    await git(root, ['worktree', 'prune']).catch(() => undefined);
    for (const branch of left.branches) await git(root, ['branch', '-D', '-q', branch]).catch(() => undefined);
    await rmdir(planWorktreesDir(home, planRunId)).catch(() => undefined);
    return left;
  });
}

/** Lock files git leaves in a worktree's own git dir when it is killed mid-command. */
const WORKTREE_LOCKS = ['index.lock', 'HEAD.lock', 'ORIG_HEAD.lock', 'MERGE_HEAD.lock', 'AUTO_MERGE.lock', 'config.worktree.lock'];

/**
 * index.lock / HEAD.lock etc. left in the worktree's git dir by a killed git: removed (the caller knows
 * no Baton git command of this plan is running). Returns what it removed.
 */
export async function clearStaleGitLocks(worktree: string): Promise<string[]> {
  if (!existsSync(worktree)) return [];
  const gitDir = (await git(worktree, ['rev-parse', '--absolute-git-dir']).catch(() => '')).trim();
  if (!gitDir) return [];
  const candidates = WORKTREE_LOCKS.map((name) => join(gitDir, name));
  // The phase branch's own ref lock is in the shared git dir; nothing but Baton writes that ref.
  const branch = (await git(worktree, ['symbolic-ref', '-q', 'HEAD']).catch(() => '')).trim();
  if (branch.startsWith(`refs/heads/${BRANCH_NAMESPACE}/`)) {
    const commonDir = (await git(worktree, ['rev-parse', '--path-format=absolute', '--git-common-dir']).catch(() => '')).trim();
    if (commonDir) candidates.push(join(commonDir, `${branch}.lock`));
  }
  const removed: string[] = [];
  for (const path of candidates) {
    if (!existsSync(path)) continue;
    await rm(path, { force: true });
    removed.push(path);
  }
  return removed;
}
