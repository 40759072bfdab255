// @ts-check
// Everything that says "time since" is refreshed once a second, here, not by each view: one timer for
// the whole page, and no view has to remember which of its spans are still ticking.

import { ago } from './format.js';
import { renderElapsed } from './widgets.js';

/** @type {Set<(now: number) => void>} */
const tickers = new Set();

setInterval(() => {
  const now = Date.now();
  for (const el of document.querySelectorAll('[data-ago]')) {
    if (!(el instanceof HTMLElement)) continue;
    const at = Number(el.dataset.ago);
    if (el.dataset.ago !== '' && Number.isFinite(at)) el.textContent = ago(at, now);
  }
  for (const el of document.querySelectorAll('.elapsed[data-live]')) if (el instanceof HTMLElement) renderElapsed(el, now);
  for (const fn of tickers) fn(now);
}, 1000);

/**
 * Calls `fn(now)` once a second, after the shared spans are redrawn; returns the way to stop.
 * @param {(now: number) => void} fn
 * @returns {() => void}
 */
export function everySecond(fn) {
  tickers.add(fn);
  return () => {
    tickers.delete(fn);
  };
}
