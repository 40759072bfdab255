/**
 * The one way a test waits: poll a condition until it holds, failing with what was awaited once the
 * bound passes. A test never sleeps a fixed time hoping something happened meanwhile: on a busy
 * machine it will not have, and on an idle one the sleep is wasted.
 */
export interface WaitForOptions {
  /** Fails after this long (generous: the machine is shared). */
  timeoutMs?: number;
  /** Named in the failure. */
  what?: string;
  intervalMs?: number;
}

/** Resolves with the first truthy value of `condition`; rejects after `timeoutMs`. */
export async function waitFor<T>(condition: () => T | Promise<T>, options: WaitForOptions = {}): Promise<NonNullable<T>> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${options.what ?? 'a condition'}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 50));
  }
}
