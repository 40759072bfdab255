import type { Store } from '../store/index.js';
import { ACTIVE_STATES } from '../store/runs.js';
import { reasonFields } from '../reasons.js';

/** Settles a run killed before its agent started; returns whether it was. */
export function cancelledBeforeStart(store: Store, runId: string): boolean {
  if (store.runs.get(runId)?.killRequestedAt == null) return false;
  store.runs.updateIfState(runId, ACTIVE_STATES, { state: 'killed', ...reasonFields([{ kind: 'killed', beforeStart: true }]), endedAt: Date.now() });
  return true;
}
