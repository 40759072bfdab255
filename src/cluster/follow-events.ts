import type { FollowEvent, FollowOptions } from '../follow.js';
import type { RunRecord, RunState } from '../store/runs.js';
import type { ClusterLink } from './link.js';

/** How often a quiet follow says so (a consumer keeps its connection alive then), and looks at the record. */
const IDLE_MS = 1_000;

/**
 * A cluster run's log from `offset` as the same events a local log gives (text, record changes, idle,
 * end), from what its worker relays: what the dashboard's stream reads, whatever machine the run is on.
 * Offsets are bytes of the worker's log, as `fetchTail` gives them.
 */
export async function* clusterFollowEvents(
  cluster: ClusterLink,
  run: RunRecord,
  offset: number,
  stateOf: () => { state: RunState; updatedAt: number } | undefined,
  options: FollowOptions = {},
): AsyncGenerator<FollowEvent> {
  const pending: FollowEvent[] = [];
  let wake: (() => void) | undefined;
  let done = false;
  let failure: unknown;
  const following = cluster
    .follow(run, offset, (text, next) => {
      pending.push({ kind: 'text', text, offset: next });
      wake?.();
    }, options.signal)
    .catch((error: unknown) => {
      failure = error;
    })
    .finally(() => {
      done = true;
      wake?.();
    });
  let seenUpdate: number | undefined;
  for (;;) {
    while (pending.length > 0) yield pending.shift()!;
    const current = stateOf();
    if (current && current.updatedAt !== seenUpdate) {
      seenUpdate = current.updatedAt;
      yield { kind: 'changed', state: current.state, updatedAt: current.updatedAt };
    }
    if (done || options.signal?.aborted) break;
    const quiet = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(true), options.pollMs ?? IDLE_MS);
      wake = () => {
        clearTimeout(timer);
        resolve(false);
      };
    });
    wake = undefined;
    if (quiet) yield { kind: 'idle' };
  }
  // A follow that failed (its worker does not answer) is the consumer's to report.
  await following;
  if (failure !== undefined) throw failure;
  while (pending.length > 0) yield pending.shift()!;
  const last = stateOf();
  if (last && !options.signal?.aborted) yield { kind: 'end', state: last.state };
}
