/**
 * The repository lock: one plan at a time per repository, and no stray run into a repository a plan
 * holds. It lives outside plans/ because the library's `run` checks it too.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { git } from './baseline/git-tree.js';
import { BatonError } from './errors.js';
import { isProcessAlive } from './processes/index.js';

export interface LockOwner {
  owner: string;
  pid: number;
  host: string;
  at: number;
}

async function lockPath(root: string): Promise<string> {
  return (await git(root, ['rev-parse', '--path-format=absolute', '--git-path', 'baton.lock'])).trim();
}

function isLive(held: LockOwner): boolean {
  return held.host !== hostname() || isProcessAlive(held.pid);
}

/** Who holds the repository's Baton lock, when a live process does. */
export async function repoLockHolder(dir: string): Promise<LockOwner | null> {
  let path: string;
  try {
    path = await lockPath(dir);
  } catch {
    return null; // not a git repository: nothing to lock
  }
  try {
    const held = JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
    return isLive(held) ? held : null;
  } catch {
    return null;
  }
}

/**
 * One plan at a time per repository: a lock file in the git dir, taken over when its holder is a dead
 * process on this host (or the same plan run resuming).
 */
export async function acquireRepoLock(root: string, owner: string): Promise<() => void> {
  const path = await lockPath(root);
  const mine: LockOwner = { owner, pid: process.pid, host: hostname(), at: Date.now() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, JSON.stringify(mine));
      closeSync(fd);
      return () => {
        try {
          const held = JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
          if (held.owner === owner && held.pid === process.pid) unlinkSync(path);
        } catch {
          // Already gone.
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let held: LockOwner | null = null;
    try {
      held = JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
    } catch {
      held = null; // torn or empty: treat as stale
    }
    const stale = !held || held.owner === owner || !isLive(held);
    if (!stale) {
      throw new BatonError('conflict', `${root} is locked by ${held!.owner} (pid ${held!.pid} on ${held!.host}); one plan at a time per repository (wait for it, or baton plan stop it)`);
    }
    try {
      unlinkSync(path);
    } catch {
      // Someone else removed it first; try again.
    }
  }
  throw new BatonError('conflict', `could not take the lock ${path}`);
}
