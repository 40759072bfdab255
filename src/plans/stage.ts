import type { PhaseRecord } from '../store/plans.js';
import type { PhaseStage } from './service.js';

/** A run's state by id (undefined: no such run): tells a phase waiting in the machine-wide queue from one running. */
export type RunStateOf = (runId: string) => string | undefined;

const AGENT_STATES: ReadonlySet<string> = new Set(['running', 'waiting', 'verifying']);
// A phase skipped by --from/--only is taken as done already, as the phases before --from are.
const NEEDS_MET: ReadonlySet<string> = new Set(['committed', 'skipped']);
const IN_MERGE_QUEUE: ReadonlySet<string> = new Set(['merge-queued', 'merging']);

/** What a phase is doing in plan status words, from its record, the records of the phases it needs and its run. */
export function phaseStage(phase: PhaseRecord, needs: readonly string[], stateOf: (phaseId: string) => string | undefined, runStateOf: RunStateOf): PhaseStage {
  if (phase.state === 'pending' && needs.some((need) => !NEEDS_MET.has(stateOf(need) ?? ''))) return 'waiting-on-needs';
  if (AGENT_STATES.has(phase.state) && phase.currentRunId !== null && runStateOf(phase.currentRunId) === 'queued') return 'queued-for-slot';
  if (phase.state === 'merge-queued') return 'queued-to-merge';
  return phase.state;
}

/** 1-based places in the merge queue, which is served in plan order; phases not in it are absent. */
export function mergePlaces(phases: readonly PhaseRecord[]): Map<string, number> {
  const places = new Map<string, number>();
  for (const phase of [...phases].sort((a, b) => a.position - b.position)) if (IN_MERGE_QUEUE.has(phase.state)) places.set(phase.phaseId, places.size + 1);
  return places;
}
