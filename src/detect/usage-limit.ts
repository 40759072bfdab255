import { renderReason, type Reason } from '../reasons.js';
import type { RunDigest } from '../digest.js';

export interface UsageLimit {
  /** When the provider says the limit lifts; null when it did not say. */
  resetAt: number | null;
  message: string;
  status?: number;
}

const LIMIT_WORDING = /usage limit|rate.?limit|quota|too many requests|limit (?:reached|exceeded)/i;
const UNIT_MS: Record<string, number> = { s: 1_000, sec: 1_000, second: 1_000, m: 60_000, min: 60_000, minute: 60_000, h: 3_600_000, hour: 3_600_000 };

/** Reads "resets at 14:00", "resets at 3pm", "try again in 5 minutes", an ISO time or epoch seconds. */
export function parseResetTime(message: string, now: number): number | null {
  const relative = /(?:in|after)\s+(\d+(?:\.\d+)?)\s*(s|sec|seconds?|m|min|minutes?|h|hours?)\b/i.exec(message);
  if (relative) {
    const unit = relative[2]!.toLowerCase().replace(/s$/, '');
    const ms = UNIT_MS[unit] ?? UNIT_MS[unit.slice(0, 1)]!;
    return now + Math.round(Number(relative[1]) * ms);
  }
  const iso = /(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)/.exec(message);
  if (iso) {
    const at = Date.parse(iso[1]!);
    if (!Number.isNaN(at)) return at;
  }
  const epoch = /resets?_?at"?\s*[:=]\s*(\d{10})\b/i.exec(message);
  if (epoch) return Number(epoch[1]) * 1000;
  const clock = /resets?\s+(?:at\s+)?(\d{1,2})(?::(\d{2}))?\s*(am|pm)?/i.exec(message);
  if (clock) {
    let hours = Number(clock[1]);
    const minutes = Number(clock[2] ?? 0);
    const meridiem = clock[3]?.toLowerCase();
    if (meridiem === 'pm' && hours < 12) hours += 12;
    if (meridiem === 'am' && hours === 12) hours = 0;
    if (hours > 23 || minutes > 59) return null;
    const at = new Date(now);
    at.setHours(hours, minutes, 0, 0);
    // A clock time already past today means tomorrow.
    if (at.getTime() <= now) at.setDate(at.getDate() + 1);
    return at.getTime();
  }
  return null;
}

/** A run cut off by a rate or usage limit: the provider's 429, or its wording. */
export function findUsageLimit(digest: RunDigest, now = Date.now()): UsageLimit | null {
  for (let i = digest.errors.length - 1; i >= 0; i--) {
    const error = digest.errors[i]!;
    if (!error.api) continue;
    if (error.status !== 429 && !LIMIT_WORDING.test(error.message)) continue;
    return { resetAt: parseResetTime(error.message, now), message: error.message.split('\n')[0] ?? error.message, ...(error.status !== undefined && { status: error.status }) };
  }
  return null;
}

/** The reason a limited run shows: the provider's message and when the limit lifts. */
export function usageLimitReason(limit: UsageLimit): Extract<Reason, { kind: 'usage-limit' }> {
  return { kind: 'usage-limit', message: limit.message, ...(limit.status !== undefined && { status: limit.status }), resetsAt: limit.resetAt };
}

/** The limit as its reason reads (see renderReason: the reset time is said once). */
export function describeUsageLimit(limit: UsageLimit): string {
  return renderReason(usageLimitReason(limit));
}
