import type { Store } from '../store/index.js';
import { ACTIVE_STATES, type RunRecord } from '../store/runs.js';
import { Supervision } from './supervisor.js';
import { queueIfNeeded } from './admission.js';
import { reasonFields } from '../reasons.js';

/**
 * Makes this process the run's supervisor, unless the launcher already gave up on it (or it was
 * killed or settled meanwhile), and queues it when the home's agents are at their cap. Returns the
 * run, or why it cannot be supervised.
 */
export function claimRun(store: Store, runId: string, home: string, env: NodeJS.ProcessEnv): RunRecord | string {
  if (!store.runs.get(runId)) return `run ${runId} not found`;
  if (!store.runs.updateIfUnclaimed(runId, { supervisorPid: process.pid })) {
    return `run ${runId} is no longer waiting for a supervisor (the launcher gave up, or it was killed or settled)`;
  }
  try {
    queueIfNeeded(store, runId, home, env);
  } catch (error) {
    // The launcher checked the settings; they broke since. Run it rather than leave it stuck.
    process.stderr.write(`run ${runId} not queued: ${(error as Error).message}\n`);
  }
  return store.runs.get(runId)!;
}

/**
 * Supervises a claimed run to its end. Whatever fails, the run is settled: after the claim nobody
 * else will start or settle it.
 */
export async function superviseClaimed(store: Store, run: RunRecord, home: string, env: NodeJS.ProcessEnv): Promise<void> {
  try {
    await new Supervision(store, run, home, () => undefined, env).start();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    store.runs.updateIfState(run.id, ACTIVE_STATES, { state: 'failed', ...reasonFields([{ kind: 'spawn-failed', message }]), endedAt: Date.now() });
  }
}
