/**
 * Re-dispatch: a plan phase whose cluster worker was lost. The agent's session lived in that
 * worker's files, so nothing can continue it; the phase restarts cold on another worker as a new
 * attempt, from the phase worktree as the lead holds it (what earlier attempts brought back), and
 * its history says which worker was lost and when it was last seen.
 */
import { WorkerGoneError } from '../cluster/worker-gone.js';
import type { Reason } from '../reasons.js';
import type { PhaseRecord } from '../store/plans.js';
import type { RunRecord } from '../store/runs.js';

/** Lost workers one phase may outlive before the plan blocks instead (not charged to maxResumes). */
export const MAX_REDISPATCHES = 3;

export interface LostWorker {
  /** The run whose worker was lost. */
  runId: string;
  worker: string;
  host: string | null;
  lastSeenAt: number | null;
}

/** The worker a run was lost with: it ended `failed` with the worker-lost reason. */
export function lostWorkerOf(run: Pick<RunRecord, 'id' | 'state' | 'reasonDetails'>): LostWorker | null {
  if (run.state !== 'failed') return null;
  const reason = run.reasonDetails.find((r): r is Extract<Reason, { kind: 'worker-lost' }> => r.kind === 'worker-lost');
  return reason ? { runId: run.id, worker: reason.worker, host: reason.host, lastSeenAt: reason.lastSeenAt } : null;
}

/** The worker a follow-up could not go back to: `resume` of a cluster run refused because its worker is lost or gone. */
export function lostWorkerFrom(error: unknown, runId: string): LostWorker | null {
  if (!(error instanceof WorkerGoneError)) return null;
  return { runId, worker: error.worker, host: error.sighting?.host ?? null, lastSeenAt: error.lastSeenAt };
}

/** The phase's history line: which worker, where, last seen when. */
export function redispatchNote(lost: LostWorker): string {
  const seen = lost.lastSeenAt === null ? 'never seen' : `last seen ${new Date(lost.lastSeenAt).toISOString()}`;
  return `worker ${lost.worker}${lost.host ? ` on ${lost.host}` : ''} was lost during run ${lost.runId} (${seen}); restarted cold on another worker`;
}

/** The phase's own prompt, told that an earlier attempt was lost, plus the follow-up the lost session would have got. */
export function redispatchPrompt(phasePrompt: string, followUp?: string): string {
  const note = 'Note: an earlier attempt at this task was lost with the machine it ran on. The files are as the last saved state left them; check what is already done and finish the task.';
  return [phasePrompt, note, ...(followUp ? [followUp] : [])].join('\n\n');
}

/** Re-dispatches the phase has had; none is left once MAX_REDISPATCHES are used. */
export function redispatchesOf(record: Pick<PhaseRecord, 'attempts'>): number {
  return record.attempts.filter((attempt) => attempt.kind === 'redispatch').length;
}

export function redispatchBound(lost: LostWorker, done: number): string {
  return `lost ${done + 1} cluster workers while running this phase (the last: ${redispatchNote(lost).replace(/; restarted cold on another worker$/, '')}); not re-dispatched again (at most ${MAX_REDISPATCHES} times)`;
}
