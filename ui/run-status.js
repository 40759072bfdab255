// @ts-check
// Fills the run page's parts (run-layout.js) from a RunStatus: the head and its meta grid, reasons and
// follow-up, files, tools and commands, errors and the final message.

import { fill, h } from './dom.js';
import { agentText, agoOrIn, bytes, clock, compact, count, dateTime, relativeTo, toMs } from './format.js';
import { ACTIVE_RUN } from './states.js';
import { agoEl, badge, elapsedEl, metaItem, wide } from './widgets.js';

/**
 * @typedef {import('../src/ui/views.js').RunStatus} RunStatus
 * @typedef {import('../src/ui/views.js').ExpectedDuration} ExpectedDuration
 * @typedef {import('./run-layout.js').RunLayout} RunLayout
 */

/**
 * Everything but the buttons, the chart and the timeline, which need the page's own state.
 * @param {RunLayout} page
 * @param {RunStatus} s
 * @param {ExpectedDuration | null} expected
 */
export function renderRunStatus(page, s, expected) {
  document.title = `${s.id} ${s.state} · Baton`;
  fill(page.stateSlot, badge(s.state));
  fill(page.titleSlot, h('span', { class: 'mono' }, s.id), s.name ? h('span', { class: 'run-name' }, s.name) : null);
  page.retrying.hidden = !s.retrying;
  page.retrying.textContent = s.retrying ? `⟳ ${s.retrying}` : '';
  fill(page.meta, ...metaItems(s, expected));
  renderReasons(page, s);
  renderFiles(page, s);
  renderTools(page, s);
  renderErrors(page, s);
  page.finalMessage.textContent = s.finalMessage ?? '';
  page.finalCard.hidden = !s.finalMessage;
  page.chartNote.textContent = s.recentLinesPerMinute !== null && Number.isFinite(s.recentLinesPerMinute) ? `+${count(s.recentLinesPerMinute)}/min over the last minute` : '';
}

/**
 * @param {RunLayout} page
 * @param {RunStatus} s
 */
function renderReasons(page, s) {
  fill(page.reasons, ...(s.reasons ?? []).map((r) => h('li', {}, r)));
  page.reasonsEmpty.hidden = (s.reasons ?? []).length > 0;
  page.followUp.textContent = s.followUp ?? '';
  page.followUp.hidden = page.followLabel.hidden = !s.followUp;
}

/**
 * @param {RunLayout} page
 * @param {RunStatus} s
 */
function renderFiles(page, s) {
  const changed = (s.filesChanged ?? []).map((f) => relativeTo(f, s.dir));
  fill(page.files, ...changed.map((f) => h('li', { class: 'mono', title: f }, f)));
  page.filesEmpty.hidden = changed.length > 0;
  page.filesInfo.textContent = `${changed.length} changed · ${count(s.filesRead ?? 0)} read`;
}

/**
 * @param {RunLayout} page
 * @param {RunStatus} s
 */
function renderTools(page, s) {
  const toolEntries = /** @type {[string, number][]} */ (Object.entries(s.toolCounts ?? {})).filter(([, n]) => n > 0);
  fill(page.tools, ...toolEntries.map(([kind, n]) => h('span', { class: 'chip' }, kind, ' ', h('b', {}, count(n)))));
  if (toolEntries.length === 0) page.tools.append(h('span', { class: 'muted' }, 'no tool calls yet'));
  fill(
    page.commands,
    ...(s.commands ?? [])
      .slice()
      .reverse()
      .map((c) => h('li', {}, exitMark(c.exitCode, c.status), h('code', { title: c.command }, c.command), c.at ? h('span', { class: 'time' }, clock(c.at)) : null)),
  );
}

/**
 * @param {RunLayout} page
 * @param {RunStatus} s
 */
function renderErrors(page, s) {
  fill(
    page.errors,
    ...(s.errors ?? []).map((e) =>
      h('li', {}, h('span', { class: 'err-kind' }, e.api ? `API${e.status ? ` ${e.status}` : ''}` : 'error'), h('span', { class: 'err-msg' }, e.message), e.count > 1 ? h('span', { class: 'err-count' }, `×${e.count}`) : null),
    ),
  );
  page.errorsCard.hidden = (s.errors ?? []).length === 0;
}

/**
 * The head's meta grid: who ran where, time against the expected range, output, tokens, exit.
 * @param {RunStatus} s
 * @param {ExpectedDuration | null} range
 */
function metaItems(s, range) {
  const tokens = s.tokens ?? {};
  const tokenParts = [`${compact(tokens.input ?? 0)} in`, `${compact(tokens.output ?? 0)} out`];
  if (tokens.reasoning) tokenParts.push(`${compact(tokens.reasoning)} reasoning`);
  if (tokens.cacheRead) tokenParts.push(`${compact(tokens.cacheRead)} cache read`);
  if (tokens.cacheWrite) tokenParts.push(`${compact(tokens.cacheWrite)} cache write`);
  return [
    metaItem('Agent', agentText(s)),
    metaItem('Model', s.model ? h('span', { class: 'mono', title: s.model }, s.model) : h('span', { class: 'muted' }, 'not reported')),
    wide(metaItem('Directory', h('span', { class: 'mono', title: s.dir }, s.dir))),
    s.worker !== undefined ? wide(metaItem('Worker', workerText(s.worker))) : null,
    wide(metaItem('Session', s.sessionId ? h('span', { class: 'mono', title: s.sessionId }, s.sessionId) : h('span', { class: 'muted' }, 'not reported yet'))),
    metaItem('Elapsed / expected', elapsedEl(s.elapsedMs, range, ACTIVE_RUN.has(s.state))),
    metaItem('Output', `${count(s.outputLines)} lines · ${bytes(s.outputBytes)}`),
    metaItem('Last output', agoEl(toMs(s.lastOutputAt))),
    wide(metaItem('Tokens', h('span', { title: tokenParts.join(' · ') }, tokenParts.join(' · ')))),
    metaItem('Cost', Number.isFinite(s.cost) ? `$${s.cost.toFixed(s.cost < 1 ? 3 : 2)}` : '–'),
    metaItem('Exit', exitOf(s)),
    metaItem('Started', dateTime(toMs(s.startedAt))),
    s.endedAt ? metaItem('Ended', dateTime(toMs(s.endedAt))) : null,
    s.limitResetAt ? wide(metaItem('Limit lifts', dateTime(toMs(s.limitResetAt)), ' (', agoOrIn(toMs(s.limitResetAt)), ')')) : null,
    s.parentId ? metaItem('Resumed from', h('a', { class: 'mono', href: `#/runs/${encodeURIComponent(s.parentId)}` }, s.parentId)) : null,
  ];
}

/**
 * A cluster run's worker on the run page; a link to the workers view, where its health shows.
 * @param {NonNullable<RunStatus['worker']> | null} worker
 */
function workerText(worker) {
  if (!worker) return h('span', { class: 'muted', 'data-field': 'worker' }, 'queued for a worker');
  return h('a', { href: '#/workers', 'data-field': 'worker', title: 'the cluster\'s workers' }, worker.name, worker.host ? h('span', { class: 'muted' }, ` on ${worker.host}`) : null);
}

/** @param {RunStatus} s */
function exitOf(s) {
  if (s.exitCode !== null && s.exitCode !== undefined) return h('span', { class: s.exitCode === 0 ? 'ok' : 'bad' }, `exit ${s.exitCode}`);
  if (s.signal) return h('span', { class: 'bad' }, s.signal);
  if (ACTIVE_RUN.has(s.state)) return h('span', { class: 'muted' }, `running${s.pid ? ` · pid ${s.pid}` : ''}`);
  return '–';
}

/**
 * @param {number | null | undefined} exitCode
 * @param {string | undefined} status
 */
function exitMark(exitCode, status) {
  if (exitCode !== undefined && exitCode !== null) return h('span', { class: `exit ${exitCode === 0 ? 'ok' : 'bad'}` }, `exit ${exitCode}`);
  if (status === 'error') return h('span', { class: 'exit bad' }, 'error');
  if (status === 'running' || status === 'pending') return h('span', { class: 'exit wait' }, status);
  return h('span', { class: 'exit' }, status ?? '');
}
