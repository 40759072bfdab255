import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { copyFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { BatonError } from '../errors.js';
import { diffTrees, git, gitBytes, snapshotWorkingTree } from '../baseline/git-tree.js';
import { LARGE_FILE_BYTES } from '../baseline/large-files.js';
import { openObjectStore } from '../baseline/object-store.js';

export interface RepoState {
  root: string;
  head: string | null;
  branch: string | null;
  /** A merge, rebase or cherry-pick left unfinished. */
  inProgress: string | null;
}

export async function readRepoState(dir: string): Promise<RepoState> {
  let root: string;
  try {
    root = (await git(dir, ['rev-parse', '--show-toplevel'])).trim();
  } catch {
    throw new BatonError('usage', `${dir} is not inside a git repository; plans commit each phase, so they need one (git init)`);
  }
  const head = (await git(root, ['rev-parse', '--verify', '-q', 'HEAD']).catch(() => '')).trim() || null;
  const branch = (await git(root, ['symbolic-ref', '-q', '--short', 'HEAD']).catch(() => '')).trim() || null;
  let inProgress: string | null = null;
  for (const [marker, what] of [['MERGE_HEAD', 'merge'], ['rebase-merge', 'rebase'], ['rebase-apply', 'rebase'], ['CHERRY_PICK_HEAD', 'cherry-pick'], ['REVERT_HEAD', 'revert']] as const) {
    const path = (await git(root, ['rev-parse', '--path-format=absolute', '--git-path', marker])).trim();
    if (existsSync(path)) {
      inProgress = what;
      break;
    }
  }
  return { root, head, branch, inProgress };
}

/** Paths with uncommitted changes (staged, unstaged or untracked) and a hash of their content now. */
export type DirtySnapshot = Record<string, string>;

export async function snapshotDirtyPaths(root: string, largeFileBytes = LARGE_FILE_BYTES): Promise<DirtySnapshot> {
  const out = await git(root, ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--no-renames']);
  const paths: string[] = [];
  for (const entry of out.split('\0')) if (entry.length > 3) paths.push(entry.slice(3));
  return hashPaths(root, paths, largeFileBytes);
}

/** Content hash of each path as it is in the working tree ('deleted' when absent). */
export async function hashPaths(root: string, paths: string[], largeFileBytes = LARGE_FILE_BYTES): Promise<DirtySnapshot> {
  const snapshot: DirtySnapshot = {};
  const present: string[] = [];
  for (const p of paths) {
    let size: number;
    let mtimeMs: number;
    try {
      ({ size, mtimeMs } = statSync(join(root, p)));
    } catch {
      snapshot[p] = 'deleted';
      continue;
    }
    // Reading a huge file on every phase costs more than it tells: its size and mtime stand for it.
    if (size > largeFileBytes) snapshot[p] = `size ${size} mtime ${Math.floor(mtimeMs)}`;
    else present.push(p);
  }
  if (present.length > 0) {
    const hashes = (await git(root, ['hash-object', '--', ...present])).trim().split('\n');
    present.forEach((p, i) => (snapshot[p] = hashes[i] ?? ''));
  }
  return snapshot;
}

export class PhaseBlocked extends Error {}

export interface PhaseCommit {
  sha: string | null;
  paths: string[];
}

/**
 * Commits exactly what the phase changed since `baseTree`, through a throwaway index so the user's
 * index and working tree stay as they are. Refuses (PhaseBlocked) when the agent changed a path that
 * held the user's own uncommitted work.
 */
export async function commitPhaseChanges(options: {
  root: string;
  /** The plan run's Baton-owned object store, where `baseTree` is. */
  storeDir: string;
  baseTree: string;
  userDirty: DirtySnapshot;
  message: string;
  exclude: (path: string) => boolean;
  largeFileBytes?: number;
}): Promise<PhaseCommit> {
  const { root } = options;
  const store = await openObjectStore(root, options.storeDir);
  const snapshot = await snapshotWorkingTree(root, options.storeDir, { largeFileBytes: options.largeFileBytes });
  const now = snapshot.tree;
  const changes = (await diffTrees(root, options.baseTree, now, store)).filter((c) => !options.exclude(c.path));
  const touchedUserWork = changes.filter((c) => c.path in options.userDirty).map((c) => c.path);
  if (touchedUserWork.length > 0) {
    throw new PhaseBlocked(
      `the agent changed ${touchedUserWork.join(', ')}, which held your uncommitted changes; nothing was committed. Commit or stash your work there, then baton plan resume`,
    );
  }
  if (changes.length === 0) return { sha: null, paths: [] };
  const paths = changes.map((c) => c.path);
  // No object store in this environment: the commit, its trees and blobs belong in the repository.
  const index = join(store.dir, `commit-index-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    const env = { GIT_INDEX_FILE: index };
    const head = (await git(root, ['rev-parse', '--verify', '-q', 'HEAD']).catch(() => '')).trim();
    if (head) {
      const realIndex = (await git(root, ['rev-parse', '--path-format=absolute', '--git-path', 'index'])).trim();
      await copyFile(realIndex, index).catch(() => undefined);
      await git(root, ['read-tree', head], env);
    }
    // Entries exactly as the snapshot holds them: what the phase produced, not a later edit.
    const listing = await git(root, ['ls-tree', '-r', '-z', '--full-tree', now, '--', ...paths], store.env);
    const present = new Set<string>();
    const infoLines: string[] = [];
    const placeholders = new Map(snapshot.skipped.map((file) => [file.path, file.placeholder]));
    for (const entry of listing.split('\0').filter(Boolean)) {
      const tab = entry.indexOf('\t');
      const [mode, type, snapshotSha] = entry.slice(0, tab).split(' ');
      const path = entry.slice(tab + 1);
      present.add(path);
      let sha = snapshotSha!;
      if (placeholders.has(path)) {
        // The snapshot did not read this large file; the commit needs its real content.
        sha = (await git(root, ['hash-object', '-w', '--', path])).trim();
      } else if (type === 'blob') {
        sha = await copyBlobIntoRepo(root, sha, store.env);
      }
      infoLines.push(`${mode} ${sha}\t${path}`);
    }
    for (const path of paths) if (!present.has(path)) infoLines.push(`0 0000000000000000000000000000000000000000\t${path}`);
    await gitWithInput(root, ['update-index', '--index-info'], infoLines.join('\n') + '\n', env);
    const tree = (await git(root, ['write-tree'], env)).trim();
    const identity = await commitIdentity(root);
    const commit = (await git(root, [...identity, 'commit-tree', tree, ...(head ? ['-p', head] : []), '-m', options.message])).trim();
    // Compare-and-swap: if HEAD moved meanwhile, fail rather than lose someone's commit.
    await git(root, ['update-ref', '-m', 'baton: commit plan phase', 'HEAD', commit, head || '0000000000000000000000000000000000000000']);
    // The user's index now matches the new HEAD for these paths, and only these.
    await git(root, ['reset', '-q', 'HEAD', '--', ...paths]).catch(() => undefined);
    return { sha: commit, paths };
  } finally {
    await rm(index, { force: true });
    await rm(`${index}.lock`, { force: true });
  }
}

/** Makes sure the repository holds a blob the snapshot wrote into Baton's store: a phase commit must be whole on its own. */
async function copyBlobIntoRepo(root: string, sha: string, storeEnv: NodeJS.ProcessEnv): Promise<string> {
  const inRepo = await git(root, ['cat-file', '-e', sha]).then(() => true, () => false);
  if (inRepo) return sha;
  const content = await gitBytes(root, ['cat-file', 'blob', sha], { env: storeEnv });
  return (await git(root, ['hash-object', '-w', '--stdin'], {}, { input: content })).trim();
}

/** `-c` options naming Baton as the committer where the repository names nobody. */
export async function commitIdentity(root: string): Promise<string[]> {
  const name = (await git(root, ['config', 'user.name']).catch(() => '')).trim();
  const email = (await git(root, ['config', 'user.email']).catch(() => '')).trim();
  return [...(name ? [] : ['-c', 'user.name=Baton']), ...(email ? [] : ['-c', 'user.email=baton@localhost'])];
}

function gitWithInput(cwd: string, args: string[], input: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`git ${args.join(' ')} failed: ${err.trim()}`))));
    child.stdin.end(input);
  });
}

export const TRAILER_PLAN_RUN = 'Baton-Plan-Run';
export const TRAILER_PHASE = 'Baton-Phase';

/**
 * The commit that recorded a phase of a plan run, recognised by its trailers, if any: in HEAD's history,
 * or only in `ref`'s (a parallel plan's branch, whatever the user's checkout is on).
 */
export async function findPhaseCommit(root: string, planRunId: string, phaseId: string, ref?: string): Promise<string | null> {
  const out = await git(root, ['log', '-n', '1', '--format=%H', '--all-match', `--grep=^${TRAILER_PLAN_RUN}: ${escapeRegex(planRunId)}$`, `--grep=^${TRAILER_PHASE}: ${escapeRegex(phaseId)}$`, ...(ref ? [ref, '--'] : [])]).catch(() => '');
  return out.trim() || null;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function phaseCommitMessage(planRunId: string, phaseId: string, title: string): string {
  return `Phase ${phaseId}: ${title}\n\n${TRAILER_PLAN_RUN}: ${planRunId}\n${TRAILER_PHASE}: ${phaseId}\n`;
}
