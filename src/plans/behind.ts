import { execFileSync } from 'node:child_process';
import type { PhaseRecord, PlanRunRecord } from '../store/plans.js';
import type { PlanStatus } from './service.js';

// Status must answer quickly even when git is slow or the repository is gone; a missing figure is null.
const GIT_TIMEOUT_MS = 2_000;

/** Commits the plan branch gained since `base` (where a phase's worktree was made); null when git cannot say. */
export function commitsBehind(repoRoot: string, branch: string | null, base: string): number | null {
  if (!branch) return null;
  try {
    const out = execFileSync('git', ['-c', 'color.ui=never', 'rev-list', '--count', `${base}..refs/heads/${branch}`, '--'], {
      cwd: repoRoot,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: GIT_TIMEOUT_MS,
      env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' },
    });
    const count = Number.parseInt(out.trim(), 10);
    return Number.isInteger(count) ? count : null;
  } catch {
    return null;
  }
}

/** Fills each phase's `behind` for the phases that have a worktree (the rest keep null). */
export function withBehind(status: PlanStatus, record: PlanRunRecord, phases: readonly PhaseRecord[]): PlanStatus {
  const bases = new Map(phases.filter((p) => p.worktree).map((p) => [p.phaseId, p.worktree!.base]));
  if (bases.size === 0) return status;
  return { ...status, phases: status.phases.map((p) => (bases.has(p.id) ? { ...p, behind: commitsBehind(record.repoRoot, record.branch, bases.get(p.id)!) } : p)) };
}
