// @ts-check
// SVG charts for the dashboard, as markup strings: pure functions of their input, no DOM, so the page
// and the tests call the same code. Colours come from classes styled in app.css; every piece of text
// is escaped. Also holds the duration formatting the charts and the page share.

import { escapeHtml } from './ansi.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
/** @param {number} n */
const num = (n) => (Math.round(n * 10) / 10).toString();
/** @param {string | number | null | undefined} t */
const toMs = (t) => (t === null || t === undefined ? null : typeof t === 'number' ? t : Date.parse(t));

/**
 * "12s", "4m 10s", "1h 5m", "2d 3h"; under a second is "0s".
 * @param {number} ms
 */
export function formatDuration(ms) {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m}m ${s % 60}s` : `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h}h ${m % 60}m` : `${h}h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d}d ${h % 24}h` : `${d}d`;
}

/** An expected range: "2–10m" when both ends are whole minutes under an hour, else "30s–1m 30s".
 * @param {number} minMs
 * @param {number} maxMs
 */
export function formatRange(minMs, maxMs) {
  const whole = (/** @type {number} */ ms, /** @type {number} */ unit) => ms % unit === 0;
  if (minMs < 60_000 && maxMs < 60_000) return `${Math.round(minMs / 1000)}–${Math.round(maxMs / 1000)}s`;
  if (minMs < 3_600_000 && maxMs < 3_600_000 && whole(minMs, 60_000) && whole(maxMs, 60_000) && minMs > 0) {
    return `${minMs / 60_000}–${maxMs / 60_000}m`;
  }
  return `${formatDuration(minMs)}–${formatDuration(maxMs)}`;
}

/**
 * 1234 → "1.2k", 1234567 → "1.2M": for axis labels, where space is short.
 * @param {number} n
 */
function compactCount(n) {
  if (n >= 1_000_000) return `${num(n / 1_000_000)}M`;
  if (n >= 1_000) return `${num(n / 1_000)}k`;
  return String(Math.round(n));
}

/**
 * A round step (1, 2 or 5 × 10^k) that cuts [0, max] into about `count` parts.
 * @param {number} max
 * @param {number} count
 */
function niceStep(max, count) {
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const unit = raw / power;
  return (unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 5 ? 5 : 10) * power;
}

const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400].map((s) => s * 1000);

/**
 * A round time step that cuts `spanMs` into at most `maxTicks` parts.
 * @param {number} spanMs
 * @param {number} maxTicks
 */
function timeStep(spanMs, maxTicks) {
  return TIME_STEPS.find((step) => spanMs / step <= maxTicks) ?? Math.ceil(spanMs / maxTicks / 86_400_000) * 86_400_000;
}

/**
 * Samples as numbers, in time order, with unusable ones dropped.
 * @param {unknown} samples
 * @returns {[number, number][]}
 */
function cleanSamples(samples) {
  return (Array.isArray(samples) ? samples : [])
    .map((s) => /** @type {[number, number]} */ ([Number(s?.[0]), Number(s?.[1])]))
    .filter(([t, v]) => Number.isFinite(t) && Number.isFinite(v))
    .sort((a, b) => a[0] - b[0]);
}

/**
 * @param {string} className
 * @param {number} width
 * @param {number} height
 * @param {string} label
 */
function svgOpen(className, width, height, label) {
  return `<svg xmlns="${SVG_NS}" class="${className}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(label)}"><title>${escapeHtml(label)}</title>`;
}

/**
 * A small line of output lines over time, for a table cell: one path point per sample, time on x,
 * lines (from 0) on y.
 * @param {[number, number][]} samples [tMs, lines]
 * @param {{width?: number, height?: number}} [opts]
 */
export function sparkline(samples, { width = 120, height = 24 } = {}) {
  const points = cleanSamples(samples);
  const pad = 2;
  const first = points[0];
  const last = points[points.length - 1];
  if (!first || !last) {
    return `${svgOpen('sparkline', width, height, 'no output yet')}<line class="spark-empty" x1="${pad}" y1="${height - pad}" x2="${width - pad}" y2="${height - pad}"/></svg>`;
  }
  const t0 = first[0];
  const t1 = last[0];
  const maxLines = Math.max(1, ...points.map((p) => p[1]));
  const x = (/** @type {number} */ t) => (t1 === t0 ? width - pad : pad + ((t - t0) / (t1 - t0)) * (width - 2 * pad));
  const y = (/** @type {number} */ v) => height - pad - (Math.max(0, v) / maxLines) * (height - 2 * pad);
  const xy = points.map(([t, v]) => `${num(x(t))},${num(y(v))}`);
  const line = `M${xy.join(' L')}`;
  const area = `M${num(x(t0))},${height - pad} L${xy.join(' L')} L${num(x(t1))},${height - pad} Z`;
  const label = `${last[1].toLocaleString('en-US')} lines over ${formatDuration(t1 - t0)}`;
  return (
    `${svgOpen('sparkline', width, height, label)}` +
    `<path class="spark-area" d="${area}"/>` +
    `<path class="spark-line" d="${line}"/>` +
    `<circle class="spark-dot" cx="${num(x(last[0]))}" cy="${num(y(last[1]))}" r="2"/></svg>`
  );
}

/**
 * Output lines over time with labelled axes: lines on y (from 0), time since `startMs` (default: the
 * first sample) on x, up to `endMs` (default: the last sample).
 * @param {[number, number][]} samples [tMs, lines]
 * @param {{width?: number, height?: number, startMs?: number, endMs?: number}} [opts]
 */
export function lineChart(samples, { width = 720, height = 220, startMs, endMs } = {}) {
  const points = cleanSamples(samples);
  const m = { left: 52, right: 16, top: 14, bottom: 28 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const first = points[0];
  const last = points[points.length - 1];
  if (!first || !last) {
    return (
      `${svgOpen('line-chart', width, height, 'output lines over time: no samples yet')}` +
      `<rect class="chart-frame" x="${m.left}" y="${m.top}" width="${plotW}" height="${plotH}"/>` +
      `<text class="chart-empty" x="${m.left + plotW / 2}" y="${m.top + plotH / 2}" text-anchor="middle" dominant-baseline="middle">no output yet</text></svg>`
    );
  }
  const t0 = startMs !== undefined && Number.isFinite(startMs) ? Math.min(startMs, first[0]) : first[0];
  const t1 = Math.max(endMs !== undefined && Number.isFinite(endMs) ? endMs : 0, last[0], t0 + 1000);
  const maxLines = Math.max(...points.map((p) => p[1]));
  const yStep = niceStep(Math.max(maxLines, 4), 5);
  const yMax = Math.max(yStep, Math.ceil(maxLines / yStep) * yStep);
  const x = (/** @type {number} */ t) => m.left + ((t - t0) / (t1 - t0)) * plotW;
  const y = (/** @type {number} */ v) => m.top + plotH - (Math.max(0, v) / yMax) * plotH;

  let out = svgOpen('line-chart', width, height, `output lines over time: ${maxLines.toLocaleString('en-US')} lines in ${formatDuration(t1 - t0)}`);
  for (let v = 0; v <= yMax + 1e-9; v += yStep) {
    const yy = num(y(v));
    out += `<line class="chart-grid" x1="${m.left}" y1="${yy}" x2="${m.left + plotW}" y2="${yy}"/>`;
    out += `<text class="chart-label" x="${m.left - 6}" y="${yy}" text-anchor="end" dominant-baseline="middle">${escapeHtml(compactCount(v))}</text>`;
  }
  const step = timeStep(t1 - t0, Math.max(2, Math.floor(plotW / 90)));
  for (let dt = 0; t0 + dt <= t1; dt += step) {
    const xx = num(x(t0 + dt));
    out += `<line class="chart-tick" x1="${xx}" y1="${m.top + plotH}" x2="${xx}" y2="${m.top + plotH + 4}"/>`;
    out += `<text class="chart-label" x="${xx}" y="${m.top + plotH + 16}" text-anchor="middle">${escapeHtml(dt === 0 ? '0' : formatDuration(dt))}</text>`;
  }
  out += `<line class="chart-axis" x1="${m.left}" y1="${m.top + plotH}" x2="${m.left + plotW}" y2="${m.top + plotH}"/>`;
  out += `<text class="chart-label chart-unit" x="${m.left + 4}" y="${m.top + 10}">lines</text>`;

  const xy = points.map(([t, v]) => `${num(x(t))},${num(y(v))}`);
  out += `<path class="chart-area" d="M${num(x(first[0]))},${num(y(0))} L${xy.join(' L')} L${num(x(last[0]))},${num(y(0))} Z"/>`;
  out += `<path class="chart-line" d="M${xy.join(' L')}"/>`;
  out += `<circle class="chart-dot" cx="${num(x(last[0]))}" cy="${num(y(last[1]))}" r="3"><title>${escapeHtml(`${last[1].toLocaleString('en-US')} lines at ${formatDuration(last[0] - t0)}`)}</title></circle>`;
  return `${out}</svg>`;
}

/**
 * @typedef {{id: string, title?: string, state: string, stage?: string, startedAt?: string|number|null, endedAt?: string|number|null,
 *   timing?: {expectedMinMs: number, expectedMaxMs: number, status?: string, judgement?: string}|null}} GanttPhase
 * @typedef {{phase: GanttPhase, index: number, start: number | null, end: number | null, open: boolean, timing: GanttPhase['timing']}} GanttRow
 * @typedef {GanttRow & {start: number, end: number}} StartedRow
 */

/** Roughly how many characters of 12px system-font text fit in `px`. */
const fits = (/** @type {number} */ px) => Math.max(4, Math.floor(px / 6.4));
const clipText = (/** @type {string} */ text, /** @type {number} */ max) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/**
 * The stretches of time when two or more phases ran at once (a parallel plan), each with the phases
 * that ran in it, in time order. Bars that only touch end to end (one phase starting as the other
 * ends, as in a serial plan) make none.
 * @param {GanttPhase[]} phases
 * @param {number} [now] the end of phases still running
 * @returns {{start: number, end: number, ids: string[]}[]}
 */
export function concurrentSpans(phases, now = Date.now()) {
  /** @type {[number, number, string][]} time, +1 start / -1 end, id */
  const marks = [];
  for (const p of Array.isArray(phases) ? phases : []) {
    const start = toMs(p.startedAt);
    if (start === null || !Number.isFinite(start)) continue;
    const end = toMs(p.endedAt) ?? Math.max(now, start);
    if (end <= start) continue;
    marks.push([start, 1, String(p.id)], [end, -1, String(p.id)]);
  }
  // Ends before starts at the same instant: a phase that starts as another ends does not overlap it.
  marks.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  /** @type {{start: number, end: number, ids: string[]}[]} */
  const spans = [];
  /** @type {Set<string>} */
  const running = new Set();
  /** @type {{start: number, ids: Set<string>} | null} */
  let open = null;
  for (const [t, kind, id] of marks) {
    if (kind === 1) running.add(id);
    else running.delete(id);
    if (running.size >= 2) {
      if (!open) open = { start: t, ids: new Set() };
      for (const r of running) open.ids.add(r);
    } else if (open) {
      if (t > open.start) spans.push({ start: open.start, end: t, ids: [...open.ids] });
      open = null;
    }
  }
  return spans;
}

/**
 * The phases of a plan in execution order (started phases by start time, then the rest in the order
 * given): a bar per started phase from its start to its end (or `now`), behind it a faint band for
 * the expected range, coloured by state (class `state-<state>`), labelled with id, title and duration.
 * @param {GanttPhase[]} phases
 * @param {{width?: number, rowHeight?: number, labelWidth?: number, now?: number}} [opts]
 */
export function gantt(phases, { width = 960, rowHeight = 28, labelWidth = 240, now = Date.now() } = {}) {
  const rows = (Array.isArray(phases) ? phases : []).map((p, index) => {
    const start = toMs(p.startedAt);
    const endMs = toMs(p.endedAt);
    const end = start === null ? null : endMs ?? Math.max(now, start);
    const timing = p.timing && Number.isFinite(p.timing.expectedMinMs) && Number.isFinite(p.timing.expectedMaxMs) ? p.timing : null;
    return { phase: p, index, start, end, open: start !== null && endMs === null, timing };
  });
  const started = /** @type {StartedRow[]} */ (rows.filter((r) => r.start !== null)).sort((a, b) => a.start - b.start || a.index - b.index);
  const ordered = [...started, ...rows.filter((r) => r.start === null)];

  const axisH = 24;
  const height = axisH + Math.max(1, ordered.length) * rowHeight + 8;
  const right = 130; // room for the duration label after the last bar
  const plotX = labelWidth;
  const plotW = Math.max(40, width - labelWidth - right);
  const label = `plan timeline: ${started.length} of ${ordered.length} phases started`;
  let out = svgOpen('gantt', width, height, label);

  if (started.length === 0) {
    out += `<text class="chart-empty" x="${plotX + plotW / 2}" y="${axisH / 2 + 4}" text-anchor="middle">no phase has started yet</text>`;
  }
  const t0 = started.length ? Math.min(...started.map((r) => r.start)) : now;
  const t1 = Math.max(t0 + 60_000, ...started.map((r) => Math.max(r.end, r.timing ? r.start + r.timing.expectedMaxMs : 0)));
  const x = (/** @type {number} */ t) => plotX + ((t - t0) / (t1 - t0)) * plotW;

  if (started.length) {
    const step = timeStep(t1 - t0, Math.max(2, Math.floor(plotW / 80)));
    for (let dt = 0; t0 + dt <= t1; dt += step) {
      const xx = num(x(t0 + dt));
      out += `<line class="chart-grid" x1="${xx}" y1="${axisH - 4}" x2="${xx}" y2="${height - 4}"/>`;
      out += `<text class="chart-label" x="${xx}" y="${axisH - 9}" text-anchor="middle">${escapeHtml(dt === 0 ? '0' : formatDuration(dt))}</text>`;
    }
  }

  // Behind the rows: where phases ran side by side, a shaded stretch, its span marked on the axis.
  const spans = started.length > 1 ? concurrentSpans(ordered.map((r) => r.phase), now) : [];
  for (const s of spans) {
    const sx = x(s.start);
    const sw = Math.max(1, x(s.end) - sx);
    const tip = `${s.ids.join(', ')} ran side by side for ${formatDuration(s.end - s.start)}`;
    out += `<rect class="gantt-overlap-mark" x="${num(sx)}" y="${axisH - 5}" width="${num(sw)}" height="4" rx="1"><title>${escapeHtml(tip)}</title></rect>`;
  }

  ordered.forEach((r, i) => {
    const p = r.phase;
    const top = axisH + i * rowHeight;
    const mid = top + rowHeight / 2;
    const state = String(p.state ?? 'pending').replace(/[^a-z-]/gi, '');
    const id = String(p.id ?? '');
    const title = String(p.title ?? '');
    out += `<g class="gantt-row" data-phase-id="${escapeHtml(id)}">`;
    if (i % 2 === 1) out += `<rect class="gantt-stripe" x="0" y="${top}" width="${width}" height="${rowHeight}"/>`;
    const idText = clipText(id, 8);
    out += `<text class="gantt-id" x="6" y="${mid}" dominant-baseline="middle">${escapeHtml(idText)}</text>`;
    out += `<text class="gantt-title" x="${6 + 8 * Math.max(3, idText.length) + 8}" y="${mid}" dominant-baseline="middle">${escapeHtml(clipText(title, fits(labelWidth - 30 - 8 * Math.max(3, idText.length))))}<title>${escapeHtml(`${id} ${title}`)}</title></text>`;

    const waiting = String(p.stage ?? state).replace(/-/g, ' ');
    if (r.start === null || r.end === null) out += `<text class="gantt-pending" x="${plotX + 4}" y="${mid}" dominant-baseline="middle">${escapeHtml(waiting)}</text>`;
    else out += ganttBar({ ...r, start: r.start, end: r.end }, { top, rowHeight, width, x }, { id, title, state });
    out += '</g>';
  });

  for (const s of spans) {
    const sx = x(s.start);
    out += `<rect class="gantt-overlap" x="${num(sx)}" y="${axisH - 1}" width="${num(Math.max(1, x(s.end) - sx))}" height="${height - axisH - 3}"/>`;
  }
  if (started.some((r) => r.open) && now >= t0 && now <= t1) {
    const xx = num(x(now));
    out += `<line class="gantt-now" x1="${xx}" y1="${axisH - 4}" x2="${xx}" y2="${height - 4}"/>`;
  }
  return `${out}</svg>`;
}

/**
 * A started phase's bar (from start to end or now), the band of its expected range behind it, and
 * its duration, outside the bar where there is room.
 * @param {StartedRow} r
 * @param {{top: number, rowHeight: number, width: number, x: (t: number) => number}} row where the row is drawn
 * @param {{id: string, title: string, state: string}} phase as the row's label shows it
 */
function ganttBar(r, { top, rowHeight, width, x }, { id, title, state }) {
  const mid = top + rowHeight / 2;
  const barH = Math.round(rowHeight * 0.56);
  let out = '';
  if (r.timing) {
    const bx = x(r.start + r.timing.expectedMinMs);
    const bw = Math.max(1, x(r.start + r.timing.expectedMaxMs) - bx);
    out += `<rect class="gantt-band" x="${num(bx)}" y="${top + 3}" width="${num(bw)}" height="${rowHeight - 6}" rx="2"><title>${escapeHtml(`expected ${formatRange(r.timing.expectedMinMs, r.timing.expectedMaxMs)}`)}</title></rect>`;
  }
  const bx = x(r.start);
  const bw = Math.max(2, x(r.end) - bx);
  const duration = r.end - r.start;
  const over = r.timing && duration > r.timing.expectedMaxMs;
  const durText = formatDuration(duration) + (r.timing ? ` / ${formatRange(r.timing.expectedMinMs, r.timing.expectedMaxMs)}` : '');
  const tip = `${id} ${title}: ${state}, ${durText}${r.timing?.judgement ? ` (${r.timing.judgement})` : ''}`;
  out += `<rect class="gantt-bar state-${state}${r.open ? ' gantt-open' : ''}" data-phase-id="${escapeHtml(id)}" x="${num(bx)}" y="${num(mid - barH / 2)}" width="${num(bw)}" height="${barH}" rx="3"><title>${escapeHtml(tip)}</title></rect>`;
  const labelEnd = Math.max(bx + bw, r.timing ? x(r.start + r.timing.expectedMaxMs) : 0);
  const textX = labelEnd + 6;
  const roomRight = width - textX;
  if (roomRight >= durText.length * 6.4) {
    out += `<text class="gantt-dur${over ? ' over' : ''}" x="${num(textX)}" y="${mid}" dominant-baseline="middle">${escapeHtml(durText)}</text>`;
  } else if (bw >= durText.length * 6.4 + 12) {
    out += `<text class="gantt-dur gantt-dur-inside" x="${num(bx + bw - 6)}" y="${mid}" text-anchor="end" dominant-baseline="middle">${escapeHtml(durText)}</text>`;
  } else {
    out += `<text class="gantt-dur gantt-dur-left${over ? ' over' : ''}" x="${num(bx - 6)}" y="${mid}" text-anchor="end" dominant-baseline="middle">${escapeHtml(durText)}</text>`;
  }
  return out;
}
