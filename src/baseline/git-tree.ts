import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileChange } from './types.js';

/** Git with options pinned so user config cannot change what Baton parses. */
export function git(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      'git',
      ['-c', 'core.quotepath=off', '-c', 'core.autocrlf=false', '-c', 'color.ui=never', ...args],
      { cwd, env: { ...process.env, GIT_OPTIONAL_LOCKS: '0', ...env }, maxBuffer: 256 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`git ${args.join(' ')} failed in ${cwd}: ${stderr.trim() || error.message}`));
        else resolvePromise(stdout);
      },
    );
  });
}

export async function gitRepoRoot(dir: string): Promise<string | null> {
  try {
    return (await git(dir, ['rev-parse', '--show-toplevel'])).trim() || null;
  } catch {
    return null;
  }
}

/**
 * Writes the working tree as it is now (tracked and untracked files, ignored ones excluded) into a git
 * tree object, using a throwaway index so the user's index, stash and working tree are untouched.
 */
export async function snapshotWorkingTree(repoRoot: string): Promise<string> {
  const scratch = await mkdtemp(join(tmpdir(), 'baton-index-'));
  const index = join(scratch, 'index');
  try {
    const realIndex = (await git(repoRoot, ['rev-parse', '--path-format=absolute', '--git-path', 'index'])).trim();
    // Starting from the real index lets git reuse its stat cache instead of rehashing every file.
    await copyFile(realIndex, index).catch(() => undefined);
    const env = { GIT_INDEX_FILE: index };
    await git(repoRoot, ['add', '-A', '--', '.'], env);
    return (await git(repoRoot, ['write-tree'], env)).trim();
  } finally {
    await rm(scratch, { recursive: true, force: true });
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

export async function diffTrees(repoRoot: string, from: string, to: string): Promise<FileChange[]> {
  const out = await git(repoRoot, ['diff-tree', '-r', '-z', '--no-renames', '--name-status', from, to]);
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

export function patchBetween(repoRoot: string, from: string, to: string, paths: string[] = []): Promise<string> {
  return git(repoRoot, ['diff-tree', '-p', '--no-renames', '--no-color', from, to, '--', ...paths]);
}
