/**
 * Plans over the cluster: each phase's agent runs on a worker, while its worktree, verification and
 * merge stay on the lead. Before each run the lead commits the phase worktree's whole state (the
 * worker checks out only commits); after it, the lead fetches the run's result ref and brings the
 * worktree to what the agent changed. See src/cluster/code.ts for the worker's half.
 */
import { randomBytes } from 'node:crypto';
import { rm, rmdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Baton, ResumeOptions, RunOptions } from '../baton.js';
import { git } from '../baseline/git-tree.js';
import { resultRef } from '../cluster/code.js';
import { resolveRedisTarget } from '../cluster/connection.js';
import type { RunRecord } from '../store/runs.js';
import { commitIdentity, PhaseBlocked } from './git-state.js';

const GIT_TIMEOUT_MS = 120_000;

/** Whether a plan's phases go to the cluster: one is configured and the plan was not started with --local. */
export function overCluster(baton: Pick<Baton, 'home' | 'env'>, local: boolean): boolean {
  return !local && resolveRedisTarget(baton.home, baton.env) !== undefined;
}

/** Where a plan's runs go, and how their code travels there and back. */
export class PhaseDispatch {
  private cluster: boolean | undefined;

  constructor(
    private readonly baton: Baton,
    private readonly local: boolean,
  ) {}

  /** Read once per driver: a plan does not change its mind halfway through a driver's life. */
  get overCluster(): boolean {
    this.cluster ??= overCluster(this.baton, this.local);
    return this.cluster;
  }

  /** What a phase's new run in `dir` adds to its RunOptions. */
  async runOptions(dir: string): Promise<Pick<RunOptions, 'local' | 'base'>> {
    if (this.local) return { local: true };
    return this.overCluster ? { base: await commitWorktreeState(dir) } : {};
  }

  /** What a follow-up of a cluster run adds to its ResumeOptions: the worker picks up the lead's state (fixes, conflict markers). */
  async resumeOptions(parent: RunRecord, dir: string): Promise<Pick<ResumeOptions, 'base'>> {
    return parent.placement ? { base: await commitWorktreeState(dir) } : {};
  }

  /**
   * Once a cluster run ended (any state): the phase worktree of `dir` brought to what the agent
   * changed. No result ref (the worker died before pushing): the worktree stays as it was.
   */
  async bringBack(runId: string, dir: string): Promise<void> {
    const run = this.baton.store.runs.get(runId);
    if (!run?.placement) return;
    await applyResult(dir, run.placement.remote, run.id, run.placement.base);
  }
}

async function topOf(dir: string): Promise<string> {
  return (await git(dir, ['rev-parse', '--show-toplevel'])).trim();
}

/** A throwaway index in the worktree's own git dir, removed whatever happens. */
async function withTempIndex<T>(top: string, work: (env: NodeJS.ProcessEnv) => Promise<T>): Promise<T> {
  const gitDir = (await git(top, ['rev-parse', '--absolute-git-dir'])).trim();
  const index = join(gitDir, `baton-dispatch-index-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    return await work({ GIT_INDEX_FILE: index });
  } finally {
    await rm(index, { force: true });
    await rm(`${index}.lock`, { force: true });
  }
}

/**
 * A commit of the whole worktree of `dir` (tracked and untracked files, not ignored ones) on top of
 * its HEAD, made through a throwaway index: the worktree's own index, HEAD and branch stay as they are.
 * HEAD itself when nothing differs from it.
 */
export async function commitWorktreeState(dir: string): Promise<string> {
  const top = await topOf(dir);
  const head = (await git(top, ['rev-parse', '--verify', 'HEAD^{commit}'])).trim();
  return withTempIndex(top, async (env) => {
    await git(top, ['read-tree', head], env);
    await git(top, ['add', '-A', '--', '.'], env);
    const tree = (await git(top, ['write-tree'], env)).trim();
    if (tree === (await git(top, ['rev-parse', `${head}^{tree}`])).trim()) return head;
    const identity = await commitIdentity(top);
    return (await git(top, [...identity, 'commit-tree', tree, '-p', head, '-m', 'baton: phase worktree state, dispatched to a worker'], env)).trim();
  });
}

/**
 * Fetches the run's result ref from the remote and writes into the worktree of `dir` what changed
 * between `base` and it: changed and added files from the result, deleted ones removed. Anything
 * else in the worktree (setup's output, ignored files) is left alone.
 */
export async function applyResult(dir: string, remote: string, runId: string, base: string): Promise<'applied' | 'no-result'> {
  const top = await topOf(dir);
  const ref = resultRef(runId);
  let listed: string;
  try {
    listed = await git(top, ['ls-remote', remote, ref], {}, { timeoutMs: GIT_TIMEOUT_MS });
  } catch (error) {
    throw new PhaseBlocked(`could not reach ${remote} for the result of run ${runId}: ${(error as Error).message.trim()}`);
  }
  if (listed.trim() === '') return 'no-result';
  try {
    // Fetched under Baton's own namespace, dropped once applied: none of the user's refs move.
    await git(top, ['fetch', '--quiet', '--no-tags', remote, `+${ref}:${ref}`], {}, { timeoutMs: GIT_TIMEOUT_MS });
  } catch (error) {
    throw new PhaseBlocked(`could not fetch the result of run ${runId} from ${remote}: ${(error as Error).message.trim()}`);
  }
  try {
    const result = (await git(top, ['rev-parse', '--verify', `${ref}^{commit}`])).trim();
    const fields = (await git(top, ['diff-tree', '-r', '-z', '--no-renames', '--name-status', base, result])).split('\0');
    const written: string[] = [];
    const deleted: string[] = [];
    for (let i = 0; i + 1 < fields.length; i += 2) (fields[i] === 'D' ? deleted : written).push(fields[i + 1]!);
    // Deletions first: a file that became a folder (or the reverse) needs the old one gone.
    for (const path of deleted) {
      await rm(join(top, path), { force: true });
      await removeEmptyParents(top, path);
    }
    if (written.length > 0) {
      await withTempIndex(top, async (env) => {
        await git(top, ['read-tree', result], env);
        await git(top, ['checkout-index', '-f', '-z', '--stdin'], env, { input: written.join('\0') });
      });
    }
    return 'applied';
  } finally {
    await git(top, ['update-ref', '-d', ref]).catch(() => undefined);
  }
}

async function removeEmptyParents(top: string, path: string): Promise<void> {
  for (let parent = dirname(path); parent !== '.' && parent !== '/'; parent = dirname(parent)) {
    try {
      await rmdir(join(top, parent));
    } catch {
      return;
    }
  }
}
