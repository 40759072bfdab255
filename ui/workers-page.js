// @ts-check
// #/workers — the cluster's workers, as `baton workers` lists them: health, host, slots used and
// free, runners and their versions, the runs each runs now, and when each last heartbeated. A
// heartbeat changes nothing in the store, so this page asks the server again every few seconds
// (the server reads Redis; no worker is asked anything).

import { api, messageOf, showError } from './api.js';
import { fill, h } from './dom.js';
import { gridTable } from './list-rows.js';
import { toMs } from './format.js';
import { agoEl, badge } from './widgets.js';

/**
 * @typedef {import('../src/ui/views.js').WorkersPage} WorkersPage
 * @typedef {import('../src/ui/views.js').WorkerView} WorkerView
 */

const REFRESH_MS = 2_000;

export function workersView() {
  const body = h('tbody');
  const summary = h('span', { class: 'summary' });
  const heads = ['Worker', 'Host', 'Slots used / total', 'Runners', 'Running', 'Last heartbeat'].map((text) => h('th', {}, text));
  const table = gridTable('table-wrap', 'grid workers', body, [h('th', { class: 'c-state' }, 'Health'), ...heads]);
  const root = h('section', { class: 'page', 'data-page': 'workers' }, h('div', { class: 'toolbar' }, h('h1', {}, 'Workers'), summary), table);
  document.title = 'Workers · Baton';
  let destroyed = false;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;

  async function load() {
    try {
      const data = /** @type {WorkersPage} */ (await api('GET', '/api/workers'));
      if (!destroyed) show(data);
    } catch (error) {
      if (!destroyed) showError(messageOf(error));
    }
    if (!destroyed) timer = setTimeout(load, REFRESH_MS);
  }

  /** @param {WorkersPage} data */
  function show(data) {
    const workers = data.workers ?? [];
    if (!data.configured) {
      fill(body, h('tr', { class: 'empty' }, h('td', { colspan: 7 }, 'No cluster is configured here: set ', h('code', {}, 'BATON_REDIS_URL'), ' (or cluster.redis in config.json) before ', h('code', {}, 'baton ui'), '.')));
    } else if (workers.length === 0) {
      fill(body, h('tr', { class: 'empty' }, h('td', { colspan: 7 }, 'No workers have registered yet; start one with ', h('code', {}, 'baton worker --redis URL'), '.')));
    } else {
      fill(body, ...workers.map(workerRow));
    }
    const alive = workers.filter((w) => w.health === 'alive');
    const free = alive.reduce((sum, w) => sum + w.slotsFree, 0);
    summary.textContent = data.configured ? `${alive.length} of ${workers.length} alive · ${free} ${free === 1 ? 'slot' : 'slots'} free` : '';
  }

  load();
  return {
    root,
    destroy() {
      destroyed = true;
      clearTimeout(timer);
    },
  };
}

/** @param {WorkerView} w */
function workerRow(w) {
  const runners = w.runners.map((r) => (r.version ? `${r.name} ${r.version}` : r.name)).join(', ');
  return h(
    'tr',
    { 'data-worker': w.name },
    h('td', { class: 'c-state' }, badge(w.health, 'health')),
    h('td', {}, h('span', { class: 'mono id' }, w.name), h('div', { class: 'sub mono' }, `pid ${w.pid}`)),
    h('td', { class: 'mono', 'data-field': 'host' }, w.host),
    h('td', { class: 'num', 'data-field': 'slots' }, w.health === 'alive' ? `${w.slotsUsed} / ${w.slots}` : `– / ${w.slots}`),
    h('td', { class: 'mono', 'data-field': 'runners' }, runners || '–'),
    h('td', { 'data-field': 'running' }, w.running.length ? w.running.map((id, i) => [i > 0 ? ' ' : '', h('a', { class: 'mono', href: `#/runs/${encodeURIComponent(id)}` }, id)]) : h('span', { class: 'muted' }, 'idle')),
    h('td', { class: 'c-ago', 'data-field': 'heartbeat' }, agoEl(toMs(w.lastHeartbeat))),
  );
}
