import { BatonError } from '../errors.js';

/**
 * Whether an error only says Redis cannot be reached right now (restarting, a network blip), as
 * opposed to a refusal or a fault of Baton's own. A long-lived lead (a plan driver) waits such an
 * outage out, bounded, where a one-shot command reports it at once.
 */
export function isRedisOutage(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error instanceof BatonError) return error.kind === 'runtime' && error.message.startsWith('cannot reach Redis at ');
  // ioredis: a command gave up while disconnected, or the connection dropped under it.
  if (error.name === 'MaxRetriesPerRequestError' || error.message === 'Connection is closed.') return true;
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EPIPE' || code === 'ETIMEDOUT';
}
