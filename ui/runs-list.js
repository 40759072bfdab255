// @ts-check
// The front page's runs: a page of them with filters for state and directory (kept in the address,
// so a filtered view can be shared), and runs the live stream reports merged in without a refetch.

import { api, messageOf, showError } from './api.js';
import { fill, h } from './dom.js';
import { count, toMs } from './format.js';
import { hashFor } from './hash-route.js';
import { runRow, runsTable } from './list-rows.js';
import { knownRuns } from './live.js';
import { ACTIVE_RUN, RUN_STATES } from './states.js';

/**
 * @typedef {import('../src/ui/views.js').RunRow} RunRow
 * @typedef {import('../src/ui/views.js').RunsPage} RunsPage
 * @typedef {{state?: string, dir?: string, page?: string}} RunsQuery
 * @typedef {{query: RunsQuery, rows: Map<string, RunRow>, total: number, offset: number}} Shown
 * @typedef {ReturnType<typeof runsParts>} RunsParts
 */

const PAGE_SIZE = 50;

/** @param {RunsQuery} query */
const pageOf = (query) => Math.max(1, Number.parseInt(query.page ?? '1', 10) || 1);
/** @param {RunsQuery} query */
const statesOf = (query) => (query.state ? query.state.split(',').filter(Boolean) : []);
/**
 * @param {RunRow} row
 * @param {RunsQuery} query
 */
const matches = (row, query) => (statesOf(query).length === 0 || statesOf(query).includes(row.state)) && (!query.dir || row.dir === query.dir);

export function runsList() {
  const parts = runsParts();
  /** @type {Shown} */
  const shown = { query: {}, rows: new Map(), total: 0, offset: 0 };
  let loadSeq = 0;

  /** @param {RunsQuery} changes */
  const setQuery = (changes) => {
    location.hash = hashFor('/', { ...shown.query, ...changes });
  };
  parts.stateSelect.addEventListener('change', () => setQuery({ state: parts.stateSelect.value, page: '' }));
  parts.dirSelect.addEventListener('change', () => setQuery({ dir: parts.dirSelect.value, page: '' }));
  parts.prev.addEventListener('click', () => setQuery({ page: pageOf(shown.query) > 2 ? String(pageOf(shown.query) - 1) : '' }));
  parts.next.addEventListener('click', () => setQuery({ page: String(pageOf(shown.query) + 1) }));

  // Only the newest request's answer is shown: filters clicked in quick succession do not race.
  async function load() {
    const seq = ++loadSeq;
    shown.offset = (pageOf(shown.query) - 1) * PAGE_SIZE;
    const params = new URLSearchParams({ offset: String(shown.offset), limit: String(PAGE_SIZE) });
    if (shown.query.state) params.set('state', shown.query.state);
    if (shown.query.dir) params.set('dir', shown.query.dir);
    try {
      const data = /** @type {RunsPage} */ (await api('GET', `/api/runs?${params}`));
      if (seq === loadSeq) showPage(parts, shown, data);
    } catch (error) {
      if (seq === loadSeq) showError(messageOf(error));
    }
  }

  /** @param {RunsQuery} nextQuery */
  function update(nextQuery) {
    shown.query = nextQuery;
    setSelect(parts.stateSelect, shown.query.state ?? '', shown.query.state);
    setSelect(parts.dirSelect, shown.query.dir ?? '');
    document.title = 'Runs · Baton';
    load();
  }

  return { toolbar: parts.toolbar, table: parts.table, load, update, merge: (/** @type {RunRow[]} */ changed) => mergeRuns(parts, shown, changed) };
}

function runsParts() {
  const stateSelect = h('select', { id: 'filter-state', 'aria-label': 'Filter by state' }, h('option', { value: '' }, 'All states'), RUN_STATES.map((s) => h('option', { value: s }, s)));
  const dirSelect = h('select', { id: 'filter-dir', 'aria-label': 'Filter by directory' }, h('option', { value: '' }, 'All directories'));
  const prev = h('button', { id: 'prev-page', type: 'button', class: 'btn' }, '‹ Prev');
  const next = h('button', { id: 'next-page', type: 'button', class: 'btn' }, 'Next ›');
  const pageInfo = h('span', { id: 'page-info', class: 'page-info' }, '');
  const summary = h('span', { class: 'summary' });
  const tbody = h('tbody');
  const toolbar = h(
    'div',
    { class: 'toolbar runs-bar' },
    h('h1', {}, 'Runs'),
    summary,
    h('div', { class: 'filters' }, h('label', {}, 'State', stateSelect), h('label', {}, 'Directory', dirSelect)),
    h('div', { class: 'pager' }, prev, pageInfo, next),
  );
  return { stateSelect, dirSelect, prev, next, pageInfo, summary, tbody, toolbar, table: runsTable(tbody) };
}

/**
 * @param {RunsParts} parts
 * @param {Shown} shown
 * @param {RunsPage} data
 */
function showPage(parts, shown, data) {
  shown.total = data.total ?? 0;
  addDirs(parts.dirSelect, data.dirs ?? []);
  if (shown.query.dir) setSelect(parts.dirSelect, shown.query.dir);
  shown.rows = new Map();
  fill(parts.tbody);
  for (const row of data.runs ?? []) {
    shown.rows.set(row.id, row);
    knownRuns.set(row.id, row);
    parts.tbody.append(runRow(row));
  }
  renderEmpty(parts, shown);
  renderPager(parts, shown);
}

/**
 * A changed run replaces its row; a new one goes on top of the first page when it matches the filters.
 * @param {RunsParts} parts
 * @param {Shown} shown
 * @param {RunRow[]} changed
 */
function mergeRuns(parts, shown, changed) {
  for (const row of changed) {
    knownRuns.set(row.id, row);
    addDirs(parts.dirSelect, [row.dir]);
    const existing = parts.tbody.querySelector(`tr[data-run-id="${CSS.escape(row.id)}"]`);
    if (existing) {
      shown.rows.set(row.id, row);
      existing.replaceWith(runRow(row));
    } else if (matches(row, shown.query) && shown.offset === 0 && isNewerThanShown(row, shown.rows)) {
      if (shown.rows.size === 0) fill(parts.tbody);
      shown.rows.set(row.id, row);
      parts.tbody.prepend(runRow(row, true));
      shown.total += 1;
      const all = parts.tbody.querySelectorAll('tr[data-run-id]');
      const last = all[all.length - 1];
      if (all.length > PAGE_SIZE && last instanceof HTMLElement) {
        shown.rows.delete(last.dataset.runId ?? '');
        last.remove();
      }
    }
  }
  renderPager(parts, shown);
}

/**
 * Only a run started after every row shown is new; an older run that changed belongs on a later page.
 * @param {RunRow} row
 * @param {Map<string, RunRow>} rows
 */
function isNewerThanShown(row, rows) {
  const started = toMs(row.startedAt) ?? Infinity;
  for (const shown of rows.values()) if ((toMs(shown.startedAt) ?? 0) > started) return false;
  return true;
}

/**
 * @param {RunsParts} parts
 * @param {Shown} shown
 */
function renderPager(parts, shown) {
  const rowCount = parts.tbody.querySelectorAll('tr[data-run-id]').length;
  const { offset, total } = shown;
  parts.pageInfo.textContent = rowCount === 0 ? `0 of ${count(total)}` : `${count(offset + 1)}–${count(offset + rowCount)} of ${count(total)}`;
  parts.prev.disabled = offset === 0;
  parts.next.disabled = offset + PAGE_SIZE >= total;
  const active = [...shown.rows.values()].filter((r) => ACTIVE_RUN.has(r.state)).length;
  parts.summary.textContent = `${count(total)} ${total === 1 ? 'run' : 'runs'}${active ? ` · ${active} active on this page` : ''}`;
}

/**
 * @param {RunsParts} parts
 * @param {Shown} shown
 */
function renderEmpty(parts, shown) {
  if (shown.rows.size > 0) return;
  const filtered = statesOf(shown.query).length > 0 || shown.query.dir;
  const message = filtered ? ['No runs match these filters. ', h('a', { href: '#/' }, 'Show all runs')] : ['No runs yet. Start one with ', h('code', {}, 'baton run'), '.'];
  fill(parts.tbody, h('tr', { class: 'empty' }, h('td', { colspan: 8 }, message)));
}

/**
 * Selects `value`, adding it as an option first if the list lacks it (a state or directory from a link).
 * @param {HTMLSelectElement} select
 * @param {string} value
 * @param {string} [label]
 */
function setSelect(select, value, label) {
  if (![...select.options].some((o) => o.value === value)) select.append(h('option', { value }, label ?? value));
  select.value = value;
}

/**
 * @param {HTMLSelectElement} select
 * @param {string[]} dirs
 */
function addDirs(select, dirs) {
  for (const dir of dirs) {
    if (dir && ![...select.options].some((o) => o.value === dir)) select.append(h('option', { value: dir, title: dir }, dir));
  }
}
