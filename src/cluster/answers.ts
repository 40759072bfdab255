import type { Baton } from '../baton.js';
import { BatonError } from '../errors.js';
import type { AskRequest } from './ask.js';
import { localRunName } from './job.js';
import type { LogRelay } from './log-relay.js';

/**
 * Worker: what it answers the lead from its local Baton, where each cluster run is the local run
 * named after the lead's (see localRunName).
 */
export function workerAnswers(local: Baton, relay: LogRelay): (request: AskRequest) => Promise<unknown> {
  return async (request) => {
    const ref = localRunName(request.runId);
    switch (request.kind) {
      case 'tail':
        try {
          return local.tail(ref, { lines: request.lines, raw: request.raw });
        } catch (error) {
          // Claimed but still checking the code out: no log yet, as for a local run that has not written one.
          if (error instanceof BatonError && error.kind === 'not-found') return { id: request.runId, lines: [], offset: 0, partial: false, missing: true };
          throw error;
        }
      case 'follow':
        relay.want(request.runId, request.from);
        return null;
      case 'export':
        return local.exportSession(ref);
    }
  };
}
