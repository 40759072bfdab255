import { isGroupAlive, isProcessAlive } from './liveness.js';
import { runProcesses, type RunProcessRef } from './run-processes.js';

export interface TerminateResult {
  /** Processes signalled. */
  signalled: number;
  /** Whether SIGKILL was needed after the grace period. */
  forced: boolean;
  /** Processes of the run still alive at the end (should be none). */
  survivors: number[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const POLL_MS = 50;

function signal(pids: Iterable<number>, pgid: number | null, name: NodeJS.Signals): void {
  if (pgid !== null) {
    try {
      process.kill(-pgid, name);
    } catch {
      // Group already empty.
    }
  }
  for (const pid of pids) {
    try {
      process.kill(pid, name);
    } catch {
      // Already gone.
    }
  }
}

/**
 * SIGTERM to every process proven to be the run's, a grace period, then SIGKILL for what is left.
 * Each round looks again, so a process forked or escaped during the grace is caught too. `vouched`:
 * pids the caller knows are the run's (the supervisor, parent of the agent, knows its group).
 */
export async function terminateRun(ref: RunProcessRef, graceMs = 5_000, vouched: number[] = []): Promise<TerminateResult> {
  const first = runProcesses(ref, vouched);
  const known = new Set(first.pids);
  if (known.size === 0) return { signalled: 0, forced: false, survivors: [] };
  // The group id stays ours only while a known member lives; signal it as a whole only then.
  const groupOf = (pgid: number | null) => (pgid !== null && isGroupAlive(pgid) ? pgid : null);
  signal(first.pids, first.pgid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  let remaining = first.pids;
  let pgid = first.pgid;
  while (Date.now() < deadline) {
    await sleep(POLL_MS);
    const now = runProcesses(ref, remaining);
    for (const pid of now.pids) {
      if (!known.has(pid)) signal([pid], null, 'SIGTERM');
      known.add(pid);
    }
    remaining = now.pids;
    pgid = now.pgid;
    if (remaining.length === 0) return { signalled: known.size, forced: false, survivors: [] };
  }
  signal(remaining, groupOf(pgid), 'SIGKILL');
  // Bounded: SIGKILL cannot be refused, but a process in uninterruptible sleep takes a moment to go.
  const killDeadline = Date.now() + 2_000;
  let survivors = remaining.filter(isProcessAlive);
  while (survivors.length > 0 && Date.now() < killDeadline) {
    await sleep(POLL_MS);
    const now = runProcesses(ref, survivors);
    signal(now.pids, null, 'SIGKILL');
    for (const pid of now.pids) known.add(pid);
    survivors = now.pids;
  }
  return { signalled: known.size, forced: true, survivors };
}
