import { hostname } from 'node:os';
import { git } from '../baseline/git-tree.js';
import type { RunnerName, RunnerOptions } from '../runners/types.js';
import type { RunRecord } from '../store/runs.js';

/**
 * What a queued job carries: what a local run stores, minus the lead's paths and session locations
 * (the worker has its own), plus where the code is. The prompt is data, handed to the runner as one
 * argument or on stdin, never to a shell.
 */
export interface RunJob {
  runId: string;
  runner: RunnerName;
  agent: string | null;
  model: string | null;
  name: string | null;
  prompt: string;
  stallAfterMs: number;
  timeoutMs: number | null;
  runnerOptions: RunnerOptions;
  maxCost: number | null;
  remote: string;
  base: string;
  lead: string;
  /**
   * A resume: continue the session of the worker's local run of `parentId` in that run's worktree,
   * after checking out the run's base ref there when `checkout` (the lead pushed ResumeOptions.base).
   */
  resume?: { parentId: string; checkout: boolean };
  /** Where in the repository the run's dir is (`--dir` a subfolder, a plan's dir); absent: the top. */
  subdir?: string;
}

/** How BullMQ keeps a job that ended: a week, so that a late redelivery or a look back still finds it. */
export const KEEP_ENDED_JOB = { removeOnComplete: { age: 7 * 24 * 3600 }, removeOnFail: { age: 7 * 24 * 3600 } } as const;

/** The job of a run as the lead adds it (or adds it again): with the subfolder of the repository its dir is in. */
export async function runJobOf(run: RunRecord): Promise<RunJob> {
  const subdir = (await git(run.dir, ['rev-parse', '--show-prefix'])).trim().replace(/\/$/, '');
  return jobOf(run, subdir);
}

export function jobOf(run: RunRecord, subdir?: string): RunJob {
  const lead = hostname();
  return {
    runId: run.id,
    runner: run.runner,
    agent: run.agent,
    model: run.model,
    name: run.name,
    prompt: run.prompt,
    stallAfterMs: run.stallAfterMs,
    timeoutMs: run.timeoutMs,
    runnerOptions: run.runnerOptions,
    maxCost: run.guards.maxCost ?? null,
    remote: run.placement!.remote,
    base: run.placement!.base,
    lead,
    ...(subdir && { subdir }),
  };
}

/** A worker's local run of a lead's run is named after it, so that the worker finds it again (restarts, asks, resumes). */
export const LOCAL_RUN_PREFIX = 'cluster:';
export const localRunName = (runId: string) => `${LOCAL_RUN_PREFIX}${runId}`;
