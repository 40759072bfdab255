import { usageError } from './errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * The longest duration Baton accepts anywhere (a timeout, stall-after, grace or wait): a year and a day.
 * Longer than any run anyone means, and it keeps deadlines (Date.now() + duration) far inside Date's range.
 */
export const MAX_DURATION_MS = 366 * UNIT_MS.d!;

export const DURATION_RANGE = 'from 1ms to 366d';

/** Parses "90s", "5m", "2h", "1h30m", "3d", "2w", "250ms" or a bare number of seconds; refuses zero, negatives and more than 366d. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(trimmed)) ms = Math.round(Number(trimmed) * 1000);
  else {
    const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g)];
    const consumed = parts.map((p) => p[0]).join('');
    if (parts.length === 0 || consumed !== trimmed) {
      throw new Error(`"${text}" is not a duration; use forms like 90s, 5m, 2h, 1h30m or 3d (${DURATION_RANGE})`);
    }
    ms = Math.round(parts.reduce((total, p) => total + Number(p[1]) * UNIT_MS[p[2]!]!, 0));
  }
  checkDuration(ms, `"${text}"`);
  return ms;
}

/** Throws unless ms is a duration Baton can honour; `what` names the value in the message. */
export function checkDuration(ms: number, what: string): void {
  if (!Number.isFinite(ms) || ms < 1) throw new Error(`${what} is not a positive duration; allowed ${DURATION_RANGE}`);
  if (ms > MAX_DURATION_MS) throw new Error(`${what} is longer than Baton allows; allowed ${DURATION_RANGE}`);
}

/** For library callers that pass milliseconds: a usage error naming the option unless ms is in range. */
export function checkDurationOption(field: 'stallAfter' | 'timeout', ms: number): void {
  try {
    checkDuration(ms, `${ms} ms`);
  } catch (error) {
    throw usageError((error as Error).message, { field });
  }
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  if (minutes < 60) return rest ? `${minutes}m${rest}s` : `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  const restMinutes = minutes % 60;
  if (hours < 48) return restMinutes ? `${hours}h${restMinutes}m` : `${hours}h`;
  const days = Math.floor(hours / 24);
  const restHours = hours % 24;
  return restHours ? `${days}d${restHours}h` : `${days}d`;
}
