/**
 * What a worker does differently because Redis may be away for a while (restarting, network cut): its
 * client waits for the reconnection instead of failing (see connection.ts), so anything that must not
 * wait for Redis forever is bounded here.
 */

/** How long a worker leaving on a signal tries to tell Redis (unregister, close its queues) before it goes anyway. */
export const LEAVE_WITHIN_MS = 5_000;

const CONNECTION_LOSS_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * An error that only says the connection is down. BullMQ reports one per reconnection attempt of each of
 * its connections; the worker's log already says once that Redis is lost and once that it is back.
 */
export function isConnectionLoss(error: Error): boolean {
  const code = (error as { code?: string }).code;
  return (code !== undefined && CONNECTION_LOSS_CODES.has(code)) || /Connection is closed|connect ETIMEDOUT|Stream isn't writeable/i.test(error.message);
}

/**
 * The work's value, or undefined once the signal is aborted, whichever comes first. A job fetch that
 * waits for Redis must not keep a stopping worker: a job it still gets after that is left unstarted, and
 * its lock lapsing hands it to another worker.
 */
export function unlessAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.resolve(undefined);
  }
  return new Promise<T | undefined>((resolve, reject) => {
    const onAbort = () => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Waits for the work at most `ms`; its failure or lateness is not the caller's concern (best effort on the way out). */
export async function settleWithin(ms: number, work: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work.catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
