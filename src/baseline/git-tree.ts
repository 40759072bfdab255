import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileChange } from './types.js';
import { findLargeFiles, LARGE_FILE_BYTES, placeholderText, type SkippedFile } from './large-files.js';
import { openObjectStore, type ObjectStore } from './object-store.js';

export interface GitOptions {
  env?: NodeJS.ProcessEnv;
  /** Bytes for git's stdin (closed after). */
  input?: string | Buffer;
  /** Kills git (SIGTERM) after this long; the call then fails. */
  timeoutMs?: number;
}

function runGit(cwd: string, args: string[], options: GitOptions, encoding: 'utf8' | 'buffer'): Promise<string | Buffer> {
  return new Promise((resolvePromise, reject) => {
    const child = execFile(
      'git',
      ['-c', 'core.quotepath=off', '-c', 'core.autocrlf=false', '-c', 'color.ui=never', ...args],
      {
        cwd,
        env: { ...process.env, GIT_OPTIONAL_LOCKS: '0', ...options.env },
        maxBuffer: 256 * 1024 * 1024,
        encoding,
        ...(options.timeoutMs !== undefined && { timeout: Math.max(1, Math.ceil(options.timeoutMs)) }),
      },
      (error, stdout, stderr) => {
        if (error) {
          const timedOut = (error as { killed?: boolean }).killed && options.timeoutMs !== undefined;
          const why = timedOut ? `took longer than ${Math.round(options.timeoutMs! / 1000)}s` : String(stderr).trim() || error.message;
          reject(new Error(`git ${args.join(' ')} failed in ${cwd}: ${why}`));
        } else resolvePromise(stdout);
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** Git with options pinned so user config cannot change what Baton parses. */
export function git(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}, options: Omit<GitOptions, 'env'> = {}): Promise<string> {
  return runGit(cwd, args, { ...options, env }, 'utf8') as Promise<string>;
}

/**
 * Runs git on exactly these pathspecs, read from a file written in full before git starts. Through
 * stdin, a caller killed mid-write hands git an empty list, and an empty list means every path
 * (`git checkout <commit>` with none detaches the user's HEAD).
 */
export async function gitWithPathspecs(cwd: string, args: string[], pathspecs: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  if (pathspecs.length === 0) throw new Error(`git ${args[0]}: no paths given`);
  const dir = await mkdtemp(join(tmpdir(), 'baton-paths-'));
  const file = join(dir, 'pathspecs');
  try {
    await writeFile(file, pathspecs.join('\0'), { mode: 0o600 });
    return await git(cwd, [...args, `--pathspec-from-file=${file}`, '--pathspec-file-nul'], env);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Like `git`, for output that may not be text (blob contents). */
export function gitBytes(cwd: string, args: string[], options: GitOptions = {}): Promise<Buffer> {
  return runGit(cwd, args, options, 'buffer') as Promise<Buffer>;
}

export async function gitRepoRoot(dir: string): Promise<string | null> {
  try {
    return (await git(dir, ['rev-parse', '--show-toplevel'])).trim() || null;
  } catch {
    return null;
  }
}

export interface WorkingTreeSnapshot {
  /** A tree object in the Baton-owned object store (the repo's own objects are borrowed, never added to). */
  tree: string;
  /** Files too large to hash: in the tree as a small placeholder that names their size and mtime. */
  skipped: SkippedFile[];
}

/** The deadline left for one git call, or a failure when it has passed. */
function remaining(deadline: number | undefined): number | undefined {
  if (deadline === undefined) return undefined;
  const left = deadline - Date.now();
  if (left <= 0) throw new Error('the snapshot ran out of time');
  return left;
}

/**
 * Writes the working tree as it is now (tracked and untracked files, ignored ones excluded) into a git
 * tree object, using a throwaway index so the user's index, stash and working tree are untouched. Every
 * object written goes into `store` (a directory Baton owns, with the repo's objects as an alternate), so
 * the user's repository gains nothing. Files over the large-file bound are not read at all.
 */
export async function snapshotWorkingTree(repoRoot: string, storeDir: string, options: { deadline?: number; largeFileBytes?: number } = {}): Promise<WorkingTreeSnapshot> {
  const store = await openObjectStore(repoRoot, storeDir);
  // Scratch beside the objects, in Baton's home: a SIGKILL leaves it there, never in /tmp or the repo.
  const index = join(store.dir, `index-${process.pid}-${randomBytes(4).toString('hex')}`);
  const deadline = options.deadline;
  try {
    const realIndex = (await git(repoRoot, ['rev-parse', '--path-format=absolute', '--git-path', 'index'])).trim();
    // Starting from the real index lets git reuse its stat cache instead of rehashing every file.
    await copyFile(realIndex, index).catch(() => undefined);
    const env = { ...store.env, GIT_INDEX_FILE: index };
    const skipped = await findLargeFiles(repoRoot, (args) => git(repoRoot, args, env, { timeoutMs: remaining(deadline) }), options.largeFileBytes ?? LARGE_FILE_BYTES);
    const excludes = skipped.map((file) => `:(top,literal,exclude)${file.path}`);
    await git(repoRoot, ['add', '-A', '--pathspec-from-file=-', '--pathspec-file-nul'], env, {
      input: ['.', ...excludes].join('\0'),
      timeoutMs: remaining(deadline),
    });
    if (skipped.length > 0) {
      const lines: string[] = [];
      for (const file of skipped) {
        const sha = (await git(repoRoot, ['hash-object', '-w', '--stdin'], env, { input: placeholderText(file), timeoutMs: remaining(deadline) })).trim();
        file.placeholder = sha;
        lines.push(`100644 ${sha}\t${file.path}`);
      }
      await git(repoRoot, ['update-index', '--index-info'], env, { input: lines.join('\n') + '\n', timeoutMs: remaining(deadline) });
    }
    const tree = (await git(repoRoot, ['write-tree'], env, { timeoutMs: remaining(deadline) })).trim();
    return { tree, skipped };
  } finally {
    await rm(index, { force: true });
    await rm(`${index}.lock`, { force: true });
  }
}

export async function headCommit(repoRoot: string): Promise<string | null> {
  try {
    return (await git(repoRoot, ['rev-parse', '--verify', '-q', 'HEAD'])).trim() || null;
  } catch {
    return null;
  }
}

const CHANGE_OF: Record<string, FileChange['change']> = { A: 'added', M: 'modified', D: 'deleted', T: 'modified' };

/** Trees from a Baton object store need its environment (`store`) to be read. */
export async function diffTrees(repoRoot: string, from: string, to: string, store?: ObjectStore): Promise<FileChange[]> {
  const out = await git(repoRoot, ['diff-tree', '-r', '-z', '--no-renames', '--name-status', from, to], store?.env);
  const fields = out.split('\0');
  const changes: FileChange[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const status = fields[i]!;
    const path = fields[i + 1]!;
    if (!status) break;
    changes.push({ path, change: CHANGE_OF[status[0]!] ?? 'modified' });
  }
  return changes;
}

export function patchBetween(repoRoot: string, from: string, to: string, paths: string[] = [], store?: ObjectStore): Promise<string> {
  return git(repoRoot, ['diff-tree', '-p', '--no-renames', '--no-color', from, to, '--', ...paths], store?.env);
}
