// @ts-check
// #/runs/:id — one run: its live log, what it did and why it stopped, and the kill and resume
// buttons. The page's parts are built by run-layout.js and filled by run-status.js and
// run-actions.js; the log streams on (run-stream.js) from the byte offset the page has reached, so a
// reconnect never shows output twice.

import { api, messageOf, showError } from './api.js';
import { lineChart } from './charts.js';
import { fill, h } from './dom.js';
import { count, toMs } from './format.js';
import { knownRuns } from './live.js';
import { renderRunActions } from './run-actions.js';
import { runLayout } from './run-layout.js';
import { renderRunStatus } from './run-status.js';
import { followRun } from './run-stream.js';
import { ACTIVE_RUN } from './states.js';
import { everySecond } from './ticker.js';

/**
 * @typedef {import('../src/ui/views.js').RunDetail} RunDetail
 * @typedef {import('../src/ui/views.js').RunStatus} RunStatus
 * @typedef {import('../src/ui/views.js').ExpectedDuration} ExpectedDuration
 * @typedef {import('../src/ui/views.js').TailView} TailView
 * @typedef {ReturnType<typeof followRun>} RunFollower
 */

const TAIL_LINES = 200;

/** @param {string} id */
export function runView(id) {
  const page = runLayout(id);
  /** @type {{status: RunStatus | null, expected: ExpectedDuration | null, growth: [number, number][]}} */
  const shown = { status: null, expected: null, growth: [] };
  /** @type {RunFollower | null} */
  let follower = null;
  let ended = false;
  let destroyed = false;

  const setLogNote = () => {
    fill(page.logNote, ended ? 'ended' : follower?.isOpen() ? h('span', { class: 'live-dot' }, 'live') : 'not streaming', ` · last ${count(page.log.shownLines())} lines shown`);
  };
  const renderChart = () => {
    if (shown.status) page.chart.innerHTML = growthChart(shown.status, shown.growth);
  };

  /** @param {Partial<RunDetail>} next a whole detail, or the parts a stream event carries */
  function render(next) {
    shown.status = next.status ?? shown.status;
    if (next.expected !== undefined) shown.expected = next.expected;
    if (next.growth) shown.growth = next.growth;
    const s = shown.status;
    if (!s) return;
    renderRunStatus(page, s, shown.expected ?? knownRuns.get(s.id)?.expected ?? null);
    renderRunActions(page, s, render);
    renderChart();
    if (next.timeline) page.timeline.render(next.timeline);
  }

  async function refreshStatus() {
    try {
      render(/** @type {RunDetail} */ (await api('GET', `/api/runs/${encodeURIComponent(id)}`)));
    } catch (error) {
      showError(messageOf(error));
    }
  }

  async function start() {
    try {
      const [detail, tail] = await loadRun(id);
      if (destroyed) return;
      render(detail);
      showTail(page.log, tail);
      follower = followRun(id, tail.offset ?? 0, {
        text: (text) => page.log.append(text),
        skipped: (bytes) => page.log.skipped(bytes),
        status: render,
        end: () => {
          ended = true;
          setLogNote();
          refreshStatus(); // the final state, in case its status event raced the end of the stream
        },
        reconnecting: refreshStatus,
        changed: setLogNote,
      });
      setLogNote();
    } catch (error) {
      showError(messageOf(error));
      page.logNote.textContent = 'unavailable';
    }
  }

  // Keep the chart's time axis moving while the run is active but quiet.
  let ticks = 0;
  const stopTicking = everySecond(() => {
    ticks += 1;
    if (ticks % 10 === 0 && shown.status && ACTIVE_RUN.has(shown.status.state)) renderChart();
  });

  start();
  return {
    root: page.root,
    destroy() {
      destroyed = true;
      follower?.stop();
      stopTicking();
    },
  };
}

/**
 * The run and the last lines of its log, together.
 * @param {string} id
 * @returns {Promise<[RunDetail, TailView]>}
 */
function loadRun(id) {
  const path = `/api/runs/${encodeURIComponent(id)}`;
  return Promise.all([/** @type {Promise<RunDetail>} */ (api('GET', path)), /** @type {Promise<TailView>} */ (api('GET', `${path}/tail?lines=${TAIL_LINES}`))]);
}

/**
 * @param {import('./log-tail.js').LogTail} log
 * @param {TailView} tail
 */
function showTail(log, tail) {
  const lines = tail.lines ?? [];
  // A last line without its newline is still being written: the stream completes it.
  if (lines.length) log.append(`${lines.join('\n')}${tail.partial ? '' : '\n'}`);
  else log.showEmpty(tail.missing ? 'no log file (yet)' : undefined);
  log.scrollToEnd();
}

/**
 * Output lines over the run's life, up to its end (or now, while it runs).
 * @param {RunStatus} status
 * @param {[number, number][]} growth
 */
function growthChart(status, growth) {
  const end = toMs(status.endedAt) ?? (ACTIVE_RUN.has(status.state) ? Date.now() : undefined);
  return lineChart(growth, { width: 760, height: 190, startMs: toMs(status.startedAt) ?? undefined, endMs: end });
}
