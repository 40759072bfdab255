import { BatonError } from '../errors.js';
import type { WorkerSighting } from './run-state.js';

/**
 * A cluster run's worker cannot be reached for what only it holds (the log, the session): it is lost,
 * stopped, or does not answer. A conflict: the caller decides what to do instead (a plan re-dispatches
 * the phase cold on another worker), so the worker and when it was last seen travel as fields too.
 */
export class WorkerGoneError extends BatonError {
  constructor(
    readonly worker: string,
    readonly sighting: WorkerSighting | undefined,
    what: string,
  ) {
    super('conflict', `${what}: worker ${worker}${sighting?.host ? ` on ${sighting.host}` : ''} ${sighting?.alive ? 'does not answer' : 'is gone'} (last seen ${lastSeen(sighting)})`);
    this.name = 'WorkerGoneError';
  }

  get lastSeenAt(): number | null {
    return this.sighting?.lastSeenAt ?? null;
  }
}

function lastSeen(sighting: WorkerSighting | undefined): string {
  return sighting?.lastSeenAt ? new Date(sighting.lastSeenAt).toISOString() : 'never';
}
