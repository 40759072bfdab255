import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { git } from '../baseline/git-tree.js';
import { BatonError, usageError } from '../errors.js';

/**
 * Where a cluster run's code travels: the lead pushes the base commit to a remote every machine can
 * reach, a worker checks it out in a worktree of its own cache clone, and pushes the result back.
 * Baton's refs live under refs/baton/runs/<runId>/ so they never touch the user's branches.
 */
export const baseRef = (runId: string) => `refs/baton/runs/${runId}/base`;
export const resultRef = (runId: string) => `refs/baton/runs/${runId}/result`;
export const runBranch = (runId: string) => `baton/runs/${runId}`;

const GIT_TIMEOUT_MS = 120_000;

/**
 * The remote (`--remote`, else the `origin` of dir) and the base commit (`commit` when given, else
 * HEAD of dir) of a run about to be dispatched.
 */
export async function placeCode(dir: string, remote?: string, commit?: string): Promise<{ remote: string; base: string }> {
  let base: string;
  try {
    base = (await git(dir, ['rev-parse', '--verify', `${commit ?? 'HEAD'}^{commit}`])).trim();
  } catch {
    if (commit !== undefined) throw usageError(`${commit} is not a commit of the repository of ${dir}`);
    throw usageError(`${dir} is not a git repository with a commit; a run on another machine starts from the HEAD of --dir`, { field: 'dir' });
  }
  if (remote !== undefined && remote !== '') return { remote, base };
  try {
    const origin = (await git(dir, ['remote', 'get-url', 'origin'])).trim();
    if (origin) return { remote: origin, base };
  } catch {
    // No origin: said below.
  }
  throw usageError(`the repository of ${dir} has no "origin" remote; give --remote URL (a git remote every worker can reach), or --local`);
}

/** Pushes the base where workers fetch it; uncommitted changes of the user stay behind (only commits travel). */
export async function pushBase(dir: string, remote: string, base: string, runId: string): Promise<void> {
  try {
    await git(dir, ['push', '--quiet', remote, `${base}:${baseRef(runId)}`], {}, { timeoutMs: GIT_TIMEOUT_MS });
  } catch (error) {
    throw new BatonError('runtime', `could not push the base commit to ${remote}: ${(error as Error).message}`);
  }
}

/** One clone per remote and home: concurrent runs of one worker share it, so they take turns fetching. */
const cacheTurns = new Map<string, Promise<unknown>>();

function inTurn<T>(key: string, work: () => Promise<T>): Promise<T> {
  const previous = cacheTurns.get(key) ?? Promise.resolve();
  const next = previous.then(work, work);
  cacheTurns.set(key, next.catch(() => undefined));
  return next;
}

export function cacheCloneOf(home: string, remote: string): string {
  return join(home, 'cluster', 'remotes', `${createHash('sha256').update(remote).digest('hex').slice(0, 16)}.git`);
}

/** Fetches the run's base into the worker's cache clone and checks it out on the run's branch; returns the worktree. */
export async function checkOutRun(home: string, remote: string, runId: string): Promise<string> {
  const cache = cacheCloneOf(home, remote);
  const worktree = join(home, 'cluster', 'worktrees', runId);
  await inTurn(cache, async () => {
    if (!existsSync(cache)) {
      mkdirSync(cache, { recursive: true });
      await git(cache, ['init', '--quiet', '--bare']);
    }
    await git(cache, ['fetch', '--quiet', '--no-tags', remote, `+${baseRef(runId)}:${baseRef(runId)}`], {}, { timeoutMs: GIT_TIMEOUT_MS });
    mkdirSync(join(home, 'cluster', 'worktrees'), { recursive: true });
    if (existsSync(worktree)) {
      // Left by this worker's earlier life, which claimed the run but never started it: nothing in it is anybody's work.
      await rm(worktree, { recursive: true, force: true });
      await git(cache, ['worktree', 'prune']);
    }
    await git(cache, ['worktree', 'add', '--quiet', '-B', runBranch(runId), worktree, baseRef(runId)]);
  });
  return worktree;
}

/**
 * Commits what the agent changed (if anything) and pushes it as the run's result ref; returns the
 * result commit. The commit carries no Baton trailers: merging stays the lead's business.
 */
export async function pushResult(worktree: string, remote: string, runId: string, worker: string): Promise<string> {
  await git(worktree, ['add', '--all']);
  const changed = (await git(worktree, ['status', '--porcelain', '-z'])).length > 0;
  if (changed) {
    await git(worktree, ['-c', 'user.name=Baton worker', '-c', `user.email=baton@${worker}`, 'commit', '--quiet', '--no-verify', '-m', `Run ${runId} on worker ${worker}`]);
  }
  const head = (await git(worktree, ['rev-parse', 'HEAD'])).trim();
  await git(worktree, ['push', '--quiet', remote, `${head}:${resultRef(runId)}`], {}, { timeoutMs: GIT_TIMEOUT_MS });
  return head;
}
