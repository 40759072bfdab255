// @ts-check
// Small pieces every page is built from: state badges, cards, breadcrumbs, and the "12s ago" and
// "4m 10s / 2–10m" spans that ticker.js keeps current.

import { formatDuration, formatRange } from './charts.js';
import { h } from './dom.js';
import { ago, dateTime } from './format.js';

/** @typedef {import('./dom.js').Child} Child */
/** @typedef {import('../src/ui/views.js').ExpectedDuration} ExpectedDuration */

/**
 * @param {string} state
 * @param {string} [field] the data-field tests and scripts find it by
 */
export function badge(state, field = 'state') {
  return h('span', { class: `badge state-${state}`, 'data-field': field }, state);
}

/**
 * Marks a meta item that needs two grid columns (paths, session ids).
 * @param {HTMLElement} el
 */
export function wide(el) {
  el.classList.add('wide');
  return el;
}

/**
 * A span that the ticker keeps saying "12s ago".
 * @param {number | null} ms
 */
export function agoEl(ms) {
  return h('span', { class: 'ago', 'data-ago': ms ?? '', title: ms ? dateTime(ms) : '' }, ago(ms));
}

/**
 * "4m 10s / 2–10m": elapsed time, ticking while `live`, against an expected range, marked when over
 * its maximum. `at` is when `elapsedMs` was measured.
 * @param {number | null} elapsedMs
 * @param {Partial<ExpectedDuration> | null} expected
 * @param {boolean} live
 */
export function elapsedEl(elapsedMs, expected, live, at = Date.now()) {
  const el = h('span', { class: 'elapsed' });
  el.dataset.elapsed = String(elapsedMs ?? 0);
  el.dataset.measuredAt = String(at);
  if (live) el.dataset.live = '';
  if (expected && expected.minMs !== undefined && expected.maxMs !== undefined && Number.isFinite(expected.minMs) && Number.isFinite(expected.maxMs)) {
    el.dataset.min = String(expected.minMs);
    el.dataset.max = String(expected.maxMs);
    el.title = `expected ${formatRange(expected.minMs, expected.maxMs)}${expected.kind ? ` (${expected.kind})` : ''}`;
  }
  renderElapsed(el);
  return el;
}

// Everything the text needs lives in the element's data attributes, so the ticker can redraw any
// elapsed span on the page without knowing which view made it.
/**
 * @param {HTMLElement} el
 */
export function renderElapsed(el, now = Date.now()) {
  const base = Number(el.dataset.elapsed);
  const ms = 'live' in el.dataset ? base + (now - Number(el.dataset.measuredAt)) : base;
  const max = el.dataset.max !== undefined ? Number(el.dataset.max) : null;
  const min = el.dataset.min !== undefined ? Number(el.dataset.min) : null;
  const text = formatDuration(ms) + (max !== null ? ` / ${formatRange(min ?? 0, max)}` : '');
  if (el.textContent !== text) el.textContent = text;
  el.classList.toggle('over', max !== null && ms > max);
}

/** @param {HTMLElement[]} parts */
export function crumbs(...parts) {
  return h('nav', { class: 'crumbs' }, h('a', { href: '#/' }, 'Runs & plans'), parts.map((p) => [h('span', { class: 'sep' }, '/'), p]));
}

/**
 * @param {string} title
 * @param {Child} extra shown at the right of the heading
 * @param {Child[]} body
 */
export function card(title, extra, ...body) {
  return h('section', { class: 'card' }, h('header', { class: 'card-head' }, h('h2', {}, title), extra), ...body);
}

/**
 * A label and its value in a page's meta grid.
 * @param {string} label
 * @param {Child[]} value
 */
export function metaItem(label, ...value) {
  return h('div', {}, h('dt', {}, label), h('dd', {}, ...value));
}

/**
 * A click anywhere on a row opens the row's page, unless it was on a link or control of its own.
 * @param {MouseEvent} event
 */
export function followRowLink(event) {
  if (!(event.target instanceof Element) || event.target.closest('a, button, input, select, textarea')) return;
  if (window.getSelection()?.toString()) return; // selecting text, not navigating
  const link = event.target.closest('tr')?.querySelector('a[data-main]');
  const href = link?.getAttribute('href');
  if (href) location.hash = href;
}
