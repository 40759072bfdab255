import { diffTrees, git, gitRepoRoot, patchBetween } from '../baseline/git-tree.js';
import type { BaselineDiff } from '../baseline/index.js';
import { BatonError } from '../errors.js';
import { isActive, type RunRecord } from '../store/runs.js';
import { baseRef, resultRef } from './code.js';
import { redactUrl } from './connection.js';

const GIT_TIMEOUT_MS = 120_000;

/**
 * What a cluster run changed, from the lead: the diff between the run's base and the result its worker
 * pushed, both fetched from the remote into the lead's repository under the same refs/baton/runs/<id>/
 * names. Only those refs move: the user's branches, index and worktree are never touched. The shape is
 * a local run's diff (the agent's worktree on the worker started clean at the base, so base → result is
 * exactly what the run changed, untracked files included, ignored ones not).
 */
export async function diffClusterRun(run: RunRecord, options: { patch?: boolean } = {}): Promise<BaselineDiff & { id: string; baseline: string }> {
  const { remote, base } = run.placement!;
  const where = redactUrl(remote);
  const repo = await gitRepoRoot(run.dir);
  if (!repo) throw new BatonError('conflict', `run ${run.id}: ${run.dir} is no longer a git repository on this machine, so its result cannot be fetched into it`);
  const pushed = await gitFailing(where, () => git(repo, ['ls-remote', '--refs', remote, resultRef(run.id)], {}, { timeoutMs: GIT_TIMEOUT_MS }));
  if (pushed.trim() === '') {
    throw new BatonError(
      'conflict',
      isActive(run.state)
        ? `run ${run.id} is ${run.state}: its worker pushes the result to ${where} when the run ends; diff it then`
        : `run ${run.id} ended (${run.state}) but its result was never pushed to ${where} (${run.placement!.worker ? `worker ${run.placement!.worker} did not get to push it` : 'no worker took it'}); there is nothing to diff`,
    );
  }
  await gitFailing(where, () => git(repo, ['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', remote, `+${baseRef(run.id)}:${baseRef(run.id)}`, `+${resultRef(run.id)}:${resultRef(run.id)}`], {}, { timeoutMs: GIT_TIMEOUT_MS }));
  const result = (await git(repo, ['rev-parse', '--verify', `${resultRef(run.id)}^{commit}`])).trim();
  const changes = await diffTrees(repo, base, result);
  return {
    id: run.id,
    baseline: `base commit ${base.slice(0, 12)}, result ${result.slice(0, 12)} pushed by worker ${run.placement!.worker ?? '?'} to ${where}`,
    changes,
    ...(options.patch && { patch: await patchBetween(repo, base, result) }),
  };
}

/** Git errors that quote the remote as given: said with its password taken out. */
async function gitFailing<T>(where: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new BatonError('runtime', `could not fetch the run's refs from ${where}: ${redactUrl((error as Error).message)}`);
  }
}
