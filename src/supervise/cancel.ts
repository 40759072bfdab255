import type { Store } from '../store/index.js';
import { ACTIVE_STATES } from '../store/runs.js';

/** Settles a run killed before its agent started; returns whether it was. */
export function cancelledBeforeStart(store: Store, runId: string): boolean {
  if (store.runs.get(runId)?.killRequestedAt == null) return false;
  store.runs.updateIfState(runId, ACTIVE_STATES, { state: 'killed', reasons: ['killed by baton kill before the agent started'], endedAt: Date.now() });
  return true;
}
