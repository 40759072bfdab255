/**
 * Node clamps a timer delay above 2^31-1 ms (~24.8 days) to 1 ms and fires it at once, so a user's
 * `--timeout 25d` would end the run at start. Every user-given duration that becomes a timer goes
 * through here: it sleeps in chunks no longer than Node allows and re-arms until the time is up.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export interface LongTimer {
  clear(): void;
}

/** Like setTimeout(fn, ms), for any ms; `unref` keeps the timer from holding the process open. */
export function setLongTimeout(fn: () => void, ms: number, options: { unref?: boolean; chunkMs?: number } = {}): LongTimer {
  const chunk = Math.min(options.chunkMs ?? MAX_TIMER_MS, MAX_TIMER_MS);
  // Measured against the clock rather than by counting chunks, so timer drift cannot add up over weeks.
  const due = Date.now() + Math.max(0, ms);
  let handle: NodeJS.Timeout;
  const arm = (): void => {
    const left = due - Date.now();
    if (left <= 0) {
      fn();
      return;
    }
    handle = setTimeout(arm, Math.min(left, chunk));
    if (options.unref) handle.unref();
  };
  handle = setTimeout(arm, Math.min(Math.max(0, ms), chunk));
  if (options.unref) handle.unref();
  return { clear: () => clearTimeout(handle) };
}

/** A promise that resolves after ms, for any ms. */
export function sleepLong(ms: number): Promise<void> {
  return new Promise((resolve) => setLongTimeout(resolve, ms));
}
