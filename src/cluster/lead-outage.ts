import { BatonError } from '../errors.js';
import { isConnectionLoss } from './outage.js';

/**
 * Whether an error only says Redis cannot be reached right now (restarting, a network blip), as
 * opposed to a refusal or a fault of Baton's own. A long-lived lead (a plan driver) waits such an
 * outage out, bounded, where a one-shot command reports it at once.
 */
export function isRedisOutage(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error instanceof BatonError) return error.kind === 'runtime' && error.message.startsWith('cannot reach Redis at ');
  // ioredis: a command of a non-blocking client gave up while disconnected.
  return error.name === 'MaxRetriesPerRequestError' || isConnectionLoss(error);
}
