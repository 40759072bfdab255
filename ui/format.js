// @ts-check
// Numbers, sizes, times and paths as the dashboard writes them: plain strings, no DOM. Durations and
// expected ranges come from charts.js, so the charts and the tables word them the same way.

import { formatDuration } from './charts.js';

/** The server sends times as ISO strings (or nothing); the page works in epoch milliseconds. */
export const toMs = (/** @type {string | null | undefined} */ iso) => (iso ? Date.parse(iso) : null);
export const count = (/** @type {number | null | undefined} */ n) => (typeof n === 'number' && Number.isFinite(n) ? n.toLocaleString('en-US') : '–');
const pad2 = (/** @type {number} */ n) => String(n).padStart(2, '0');

/** @param {number} ms */
export function clock(ms) {
  const d = new Date(ms);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** @param {number | null} ms */
export function dateTime(ms) {
  if (ms === null || !Number.isFinite(ms)) return '–';
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${clock(ms)}`;
}

/**
 * "just now", "12s ago", "4m ago", "3h ago", "2d ago".
 * @param {number | null} ms
 */
export function ago(ms, now = Date.now()) {
  if (ms === null || !Number.isFinite(ms)) return '–';
  const s = Math.max(0, Math.floor((now - ms) / 1000));
  if (s < 2) return 'just now';
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

/**
 * "in 4m 10s" for a time still ahead (a usage limit lifting), "3m ago" once it has passed.
 * @param {number | null} ms
 */
export function agoOrIn(ms) {
  if (ms === null) return '–';
  const diff = ms - Date.now();
  return diff > 0 ? `in ${formatDuration(diff)}` : ago(ms);
}

/**
 * The newest of several times, any of which may be unknown.
 * @param {(number | null)[]} times
 */
export function latest(...times) {
  const known = /** @type {number[]} */ (times.filter((t) => t !== null && Number.isFinite(t)));
  return known.length ? Math.max(...known) : null;
}

/** @param {number} n */
export function bytes(n) {
  if (!Number.isFinite(n)) return '–';
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

/** @param {number} n */
export function compact(n) {
  if (!Number.isFinite(n)) return '0';
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e7 ? 0 : 1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(n >= 1e4 ? 0 : 1)}k`;
  return String(n);
}

/**
 * The last two segments of a directory, for tables; the full path goes in the title.
 * @param {string | null | undefined} dir
 */
export function shortDir(dir) {
  if (!dir) return '–';
  const parts = dir.split('/').filter(Boolean);
  return parts.length <= 2 ? dir : `…/${parts.slice(-2).join('/')}`;
}

/**
 * @param {string} path
 * @param {string | null | undefined} dir
 */
export function relativeTo(path, dir) {
  if (dir && path.startsWith(`${dir.replace(/\/$/, '')}/`)) return path.slice(dir.replace(/\/$/, '').length + 1);
  return path;
}

/** @param {{runner: string, agent: string | null}} row */
export function agentText(row) {
  const who = [row.runner, row.agent].filter(Boolean).join('/');
  return who || '–';
}
