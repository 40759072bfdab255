// @ts-check
// The front page's tables: their heads, and one row per run or plan as the list API and the live
// stream send them (RunRow, PlanRow). A click anywhere on a row opens its page.

import { sparkline } from './charts.js';
import { h } from './dom.js';
import { agentText, count, latest, relativeTo, shortDir, toMs } from './format.js';
import { ACTIVE_RUN } from './states.js';
import { agoEl, badge, elapsedEl, followRowLink } from './widgets.js';

/**
 * @typedef {import('../src/ui/views.js').RunRow} RunRow
 * @typedef {import('../src/ui/views.js').PlanRow} PlanRow
 */

/**
 * A table in its scrolling box, with its column heads; rows go in `body`.
 * @param {string} wrapClass
 * @param {string} tableClass
 * @param {HTMLTableSectionElement} body
 * @param {HTMLTableCellElement[]} heads
 */
export function gridTable(wrapClass, tableClass, body, heads) {
  body.addEventListener('click', followRowLink);
  return h('div', { class: wrapClass }, h('table', { class: tableClass }, h('thead', {}, h('tr', {}, heads)), body));
}

/** @param {HTMLTableSectionElement} body */
export function runsTable(body) {
  const heads = ['Run', 'Agent · model', 'Directory', 'Elapsed / expected'].map((text) => h('th', {}, text));
  return gridTable('table-wrap', 'grid runs', body, [
    h('th', { class: 'c-state' }, 'State'),
    ...heads,
    h('th', { class: 'c-spark' }, 'Output'),
    h('th', { class: 'num' }, 'Lines'),
    h('th', {}, 'Last activity'),
  ]);
}

/** @param {HTMLTableSectionElement} body */
export function plansTable(body) {
  const heads = ['Plan', 'Phases', 'Directory', 'Plan file', 'Started', 'Duration'].map((text) => h('th', {}, text));
  return gridTable('table-wrap plans-wrap', 'grid plans', body, [h('th', { class: 'c-state' }, 'State'), ...heads]);
}

/**
 * @param {RunRow} row
 * @param {boolean} [fresh] new since the page loaded: highlighted for a moment
 */
export function runRow(row, fresh = false) {
  const reason = row.reasons?.[0];
  return h(
    'tr',
    { 'data-run-id': row.id, class: [ACTIVE_RUN.has(row.state) ? 'active' : '', fresh ? 'fresh' : ''].join(' ').trim() || null },
    h('td', { class: 'c-state' }, badge(row.state)),
    h(
      'td',
      { class: 'c-run' },
      h('div', { class: 'line1' }, h('a', { class: 'mono id', href: `#/runs/${encodeURIComponent(row.id)}`, 'data-main': '' }, row.id), row.name ? h('span', { class: 'run-name' }, row.name) : null),
      reason ? h('div', { class: 'sub reason', title: row.reasons.join('\n') }, reason, row.reasons.length > 1 ? ` (+${row.reasons.length - 1})` : '') : null,
    ),
    h('td', { class: 'c-agent' }, h('div', { class: 'line1' }, agentText(row)), row.model ? h('div', { class: 'sub mono' }, row.model) : null, workerLine(row.worker)),
    h('td', { class: 'c-dir mono', title: row.dir }, shortDir(row.dir)),
    h('td', { class: 'c-elapsed' }, elapsedEl(row.elapsedMs, row.expected, ACTIVE_RUN.has(row.state))),
    h('td', { class: 'c-spark', html: sparkline(row.growth, { width: 96, height: 22 }) }),
    h('td', { class: 'num', 'data-field': 'lines' }, count(row.outputLines)),
    h('td', { class: 'c-ago' }, agoEl(latest(toMs(row.lastActivityAt), toMs(row.lastOutputAt)))),
  );
}

/**
 * Where a cluster run runs: its worker and host, or that it waits for one. Nothing for a run of this machine.
 * @param {RunRow['worker']} worker
 */
export function workerLine(worker) {
  if (worker === undefined) return null;
  const text = worker ? `on ${worker.name}${worker.host ? ` · ${worker.host}` : ''}` : 'queued for a worker';
  return h('div', { class: `sub worker${worker ? '' : ' muted'}`, 'data-field': 'worker', title: text }, text);
}

/**
 * @param {PlanRow} plan
 * @param {boolean} [fresh]
 */
export function planRow(plan, fresh = false) {
  const created = toMs(plan.createdAt);
  const ended = toMs(plan.endedAt);
  const done = plan.phasesDone ?? 0;
  const all = plan.phases ?? 0;
  const reason = plan.reasons?.[0];
  return h(
    'tr',
    { 'data-plan-id': plan.id, class: fresh ? 'fresh' : null },
    h('td', { class: 'c-state' }, badge(plan.state)),
    h(
      'td',
      { class: 'c-run' },
      h('div', { class: 'line1' }, h('a', { class: 'mono id', href: `#/plans/${encodeURIComponent(plan.id)}`, 'data-main': '' }, plan.id), plan.project ? h('span', { class: 'run-name' }, plan.project) : null),
      reason ? h('div', { class: 'sub reason', title: plan.reasons.join('\n') }, reason) : null,
    ),
    h(
      'td',
      { class: 'c-phases' },
      h('span', { class: 'progress', title: `${done} of ${all} phases done` }, h('span', { class: `progress-fill state-${plan.state}`, style: `width:${all ? Math.round((done / all) * 100) : 0}%` })),
      h('span', { class: 'phase-count', 'data-field': 'phases' }, `${done} / ${all}`),
    ),
    h('td', { class: 'c-dir mono', title: plan.dir }, shortDir(plan.dir)),
    h('td', { class: 'c-file mono', title: plan.planFile }, plan.planFile ? relativeTo(plan.planFile, plan.dir) : '–'),
    h('td', {}, agoEl(created)),
    h('td', {}, created ? elapsedEl((ended ?? Date.now()) - created, null, plan.state === 'running') : '–'),
  );
}
