// Baton's live dashboard: a hash-routed single page over the server's JSON and SSE API.
// Plain browser ES module, no framework: views build DOM with `h`, which sets text through the DOM,
// and only markup from ansi.js and charts.js (which escape every piece of text) goes in as HTML.
// Pages: #/ (runs and plans), #/runs/:id (one run, its live log), #/plans/:id (one plan, its phases).

import { ansiLines, initialAnsiState } from './ansi.js';
import { formatDuration, formatRange, gantt, lineChart, sparkline } from './charts.js';

const RUN_STATES = ['running', 'stalled', 'completed', 'incomplete', 'limited', 'failed', 'killed'];
const ACTIVE_RUN = new Set(['running', 'stalled']);
const RESUMABLE_RUN = new Set(['incomplete', 'limited', 'failed', 'killed']);
const RESUMABLE_PLAN = new Set(['blocked', 'failed', 'stopped']);
const DONE_PHASE = new Set(['committed', 'completed', 'skipped']);
const PAGE_SIZE = 50;
const PLAN_LIMIT = 20;
const TAIL_LINES = 200;
const MAX_LOG_LINES = 2000;

// ---------------------------------------------------------------------------------------------
// DOM and formatting helpers

/** Creates an element. Children are nodes or text; `html` is only ever markup from ansi.js or charts.js. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'html') el.innerHTML = value;
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** Replaces an element's children, skipping null and false (which the DOM would print as text). */
function fill(el, ...children) {
  el.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

const toMs = (iso) => (iso ? Date.parse(iso) : null);
const count = (n) => (Number.isFinite(n) ? n.toLocaleString('en-US') : '–');
const pad2 = (n) => String(n).padStart(2, '0');

function clock(ms) {
  const d = new Date(ms);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

function dateTime(ms) {
  if (ms === null || !Number.isFinite(ms)) return '–';
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${clock(ms)}`;
}

/** "just now", "12s ago", "4m ago", "3h ago", "2d ago". */
function ago(ms, now = Date.now()) {
  if (ms === null || !Number.isFinite(ms)) return '–';
  const s = Math.max(0, Math.floor((now - ms) / 1000));
  if (s < 2) return 'just now';
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

function bytes(n) {
  if (!Number.isFinite(n)) return '–';
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

function compact(n) {
  if (!Number.isFinite(n)) return '0';
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e7 ? 0 : 1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(n >= 1e4 ? 0 : 1)}k`;
  return String(n);
}

/** The last two segments of a directory, for tables; the full path goes in the title. */
function shortDir(dir) {
  if (!dir) return '–';
  const parts = dir.split('/').filter(Boolean);
  return parts.length <= 2 ? dir : `…/${parts.slice(-2).join('/')}`;
}

function relativeTo(path, dir) {
  if (dir && path.startsWith(`${dir.replace(/\/$/, '')}/`)) return path.slice(dir.replace(/\/$/, '').length + 1);
  return path;
}

function agentText(row) {
  const who = [row.runner, row.agent].filter(Boolean).join('/');
  return who || '–';
}

function badge(state, field = 'state') {
  return h('span', { class: `badge state-${state}`, 'data-field': field }, state);
}

/** Marks a meta item that needs two grid columns (paths, session ids). */
function wide(el) {
  el.classList.add('wide');
  return el;
}

/** A span that the ticker keeps saying "12s ago". */
function agoEl(ms) {
  return h('span', { class: 'ago', 'data-ago': ms ?? '', title: ms ? dateTime(ms) : '' }, ago(ms));
}

/**
 * "4m 10s / 2–10m": elapsed time, ticking while `live`, against an expected range, marked when over
 * its maximum. `at` is when `elapsedMs` was measured.
 */
function elapsedEl(elapsedMs, expected, live, at = Date.now()) {
  const el = h('span', { class: 'elapsed' });
  el.dataset.elapsed = String(elapsedMs ?? 0);
  el.dataset.measuredAt = String(at);
  if (live) el.dataset.live = '';
  if (expected && Number.isFinite(expected.minMs) && Number.isFinite(expected.maxMs)) {
    el.dataset.min = String(expected.minMs);
    el.dataset.max = String(expected.maxMs);
    el.title = `expected ${formatRange(expected.minMs, expected.maxMs)}${expected.kind ? ` (${expected.kind})` : ''}`;
  }
  renderElapsed(el);
  return el;
}

function renderElapsed(el, now = Date.now()) {
  const base = Number(el.dataset.elapsed);
  const ms = 'live' in el.dataset ? base + (now - Number(el.dataset.measuredAt)) : base;
  const max = el.dataset.max !== undefined ? Number(el.dataset.max) : null;
  const min = el.dataset.min !== undefined ? Number(el.dataset.min) : null;
  const text = formatDuration(ms) + (max !== null ? ` / ${formatRange(min, max)}` : '');
  if (el.textContent !== text) el.textContent = text;
  el.classList.toggle('over', max !== null && ms > max);
}

// Everything that says "time since" is refreshed once a second, here, not by each view.
const tickers = new Set();
setInterval(() => {
  const now = Date.now();
  for (const el of document.querySelectorAll('[data-ago]')) {
    const at = Number(el.dataset.ago);
    if (el.dataset.ago !== '' && Number.isFinite(at)) el.textContent = ago(at, now);
  }
  for (const el of document.querySelectorAll('.elapsed[data-live]')) renderElapsed(el, now);
  for (const fn of tickers) fn(now);
}, 1000);

// ---------------------------------------------------------------------------------------------
// Errors and the server API

const errorBox = document.getElementById('error');
const errorText = document.getElementById('error-text');
document.getElementById('error-close')?.addEventListener('click', clearError);

function showError(message) {
  errorText.textContent = message;
  errorBox.hidden = false;
}

function clearError() {
  errorBox.hidden = true;
  errorText.textContent = '';
}

class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

const csrfToken = document.querySelector('meta[name="baton-csrf"]')?.getAttribute('content') ?? '';

async function api(method, path, body) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
  if (method !== 'GET') {
    init.headers['Content-Type'] = 'application/json';
    init.headers['X-Baton-CSRF'] = csrfToken;
    init.body = JSON.stringify(body ?? {});
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    throw new ApiError(`Cannot reach the Baton server (${error.message}). Is \`baton ui\` still running?`, 0);
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    // Not JSON: the status line below says what happened.
  }
  if (!response.ok) {
    const reason = data?.error;
    const message = typeof reason === 'string' ? reason : reason?.message ?? `${method} ${path} failed with HTTP ${response.status}`;
    throw new ApiError(message, response.status);
  }
  return data;
}

/** Runs an action for a button: disabled while it runs, any failure shown in the banner. */
async function act(button, action) {
  button.disabled = true;
  clearError();
  try {
    await action();
  } catch (error) {
    showError(error.message);
  } finally {
    button.disabled = false;
  }
}

// ---------------------------------------------------------------------------------------------
// The shared live stream: run and plan rows that changed, for whichever view is showing.

const liveListeners = new Set();
const liveBadge = document.getElementById('live');
let globalStream = null;

function setLive(state, text) {
  if (!liveBadge) return;
  liveBadge.className = `live live-${state}`;
  liveBadge.textContent = text;
}

function connectGlobalStream() {
  let failed = false;
  globalStream = new EventSource('/api/stream');
  const dispatch = (kind, payload) => {
    for (const listener of liveListeners) listener(kind, payload);
  };
  globalStream.addEventListener('open', () => {
    setLive('on', 'live');
    // Whatever changed while we were away was not streamed: let the view catch up.
    if (failed) dispatch('reconnected', null);
    failed = false;
  });
  globalStream.addEventListener('error', () => {
    failed = true;
    if (globalStream.readyState === EventSource.CLOSED) {
      setLive('off', 'offline');
      setTimeout(connectGlobalStream, 5000);
    } else {
      setLive('wait', 'reconnecting');
    }
  });
  for (const kind of ['runs', 'plans']) {
    globalStream.addEventListener(kind, (event) => {
      const payload = parseJson(event.data);
      if (payload && Array.isArray(payload[kind])) dispatch(kind, payload[kind]);
    });
  }
}

function onLive(listener) {
  liveListeners.add(listener);
  return () => liveListeners.delete(listener);
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Rows the runs list has seen, so a run page can show the expected range the list row carries. */
const knownRuns = new Map();

// ---------------------------------------------------------------------------------------------
// Routing

const app = document.getElementById('app');
let current = null;

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, search = ''] = raw.split('?');
  return { path: path || '/', query: Object.fromEntries(new URLSearchParams(search)) };
}

function hashFor(path, query) {
  const search = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== '' && v !== undefined && v !== null)).toString();
  return `#${path}${search ? `?${search}` : ''}`;
}

function route() {
  const { path, query } = parseHash();
  clearError();
  if (path === '/' && current?.kind === 'runs') {
    current.view.update(query);
    return;
  }
  current?.view.destroy();
  app.replaceChildren();
  let match;
  let view;
  let kind;
  const decode = (text) => {
    try {
      return decodeURIComponent(text);
    } catch {
      return text;
    }
  };
  if (path === '/') [kind, view] = ['runs', runsView(query)];
  else if ((match = /^\/runs\/([^/]+)$/.exec(path))) [kind, view] = ['run', runView(decode(match[1]))];
  else if ((match = /^\/plans\/([^/]+)$/.exec(path))) [kind, view] = ['plan', planView(decode(match[1]))];
  else [kind, view] = ['missing', missingView(path)];
  current = { kind, view };
  app.append(view.root);
  window.scrollTo(0, 0);
}

function missingView(path) {
  const root = h('section', { class: 'page', 'data-page': 'missing' }, h('div', { class: 'empty-page' }, h('h1', {}, 'Nothing here'), h('p', {}, `No page at ${path}. `, h('a', { href: '#/' }, 'Back to the runs'))));
  return { root, destroy() {} };
}

function crumbs(...parts) {
  return h('nav', { class: 'crumbs' }, h('a', { href: '#/' }, 'Runs & plans'), parts.map((p) => [h('span', { class: 'sep' }, '/'), p]));
}

function card(title, extra, ...body) {
  return h('section', { class: 'card' }, h('header', { class: 'card-head' }, h('h2', {}, title), extra), ...body);
}

// ---------------------------------------------------------------------------------------------
// #/ — runs and plans

function runsView(initialQuery) {
  let query = {};
  let rows = new Map();
  let total = 0;
  let offset = 0;
  let loadSeq = 0;
  let plans = new Map();
  let plansTotal = 0;

  const stateSelect = h('select', { id: 'filter-state', 'aria-label': 'Filter by state' }, h('option', { value: '' }, 'All states'), RUN_STATES.map((s) => h('option', { value: s }, s)));
  const dirSelect = h('select', { id: 'filter-dir', 'aria-label': 'Filter by directory' }, h('option', { value: '' }, 'All directories'));
  const prev = h('button', { id: 'prev-page', type: 'button', class: 'btn' }, '‹ Prev');
  const next = h('button', { id: 'next-page', type: 'button', class: 'btn' }, 'Next ›');
  const pageInfo = h('span', { id: 'page-info', class: 'page-info' }, '');
  const summary = h('span', { class: 'summary' });
  const tbody = h('tbody');
  const plansBody = h('tbody');
  const plansInfo = h('span', { class: 'summary' });

  const setQuery = (changes) => {
    location.hash = hashFor('/', { ...query, ...changes });
  };
  stateSelect.addEventListener('change', () => setQuery({ state: stateSelect.value, page: '' }));
  dirSelect.addEventListener('change', () => setQuery({ dir: dirSelect.value, page: '' }));
  prev.addEventListener('click', () => setQuery({ page: page() > 2 ? String(page() - 1) : '' }));
  next.addEventListener('click', () => setQuery({ page: String(page() + 1) }));
  tbody.addEventListener('click', followRowLink);
  plansBody.addEventListener('click', followRowLink);

  const runsTable = h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'grid runs' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { class: 'c-state' }, 'State'),
          h('th', {}, 'Run'),
          h('th', {}, 'Agent · model'),
          h('th', {}, 'Directory'),
          h('th', {}, 'Elapsed / expected'),
          h('th', { class: 'c-spark' }, 'Output'),
          h('th', { class: 'num' }, 'Lines'),
          h('th', {}, 'Last activity'),
        ),
      ),
      tbody,
    ),
  );
  // Plans come first: there are few of them, and each stands for many runs. Their box scrolls when
  // there are more than a handful, so the runs stay in view.
  const plansTable = h(
    'div',
    { class: 'table-wrap plans-wrap' },
    h(
      'table',
      { class: 'grid plans' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { class: 'c-state' }, 'State'),
          h('th', {}, 'Plan'),
          h('th', {}, 'Phases'),
          h('th', {}, 'Directory'),
          h('th', {}, 'Plan file'),
          h('th', {}, 'Started'),
          h('th', {}, 'Duration'),
        ),
      ),
      plansBody,
    ),
  );
  plansTable.hidden = true; // until the plans are in
  const root = h(
    'section',
    { class: 'page', 'data-page': 'runs' },
    h('div', { class: 'toolbar' }, h('h1', { id: 'plans' }, 'Plans'), plansInfo),
    plansTable,
    h(
      'div',
      { class: 'toolbar runs-bar' },
      h('h1', {}, 'Runs'),
      summary,
      h('div', { class: 'filters' }, h('label', {}, 'State', stateSelect), h('label', {}, 'Directory', dirSelect)),
      h('div', { class: 'pager' }, prev, pageInfo, next),
    ),
    runsTable,
  );

  const page = () => Math.max(1, Number.parseInt(query.page ?? '1', 10) || 1);
  const stateFilter = () => (query.state ? query.state.split(',').filter(Boolean) : []);
  const matches = (row) => (stateFilter().length === 0 || stateFilter().includes(row.state)) && (!query.dir || row.dir === query.dir);

  function setSelect(select, value, label) {
    if (![...select.options].some((o) => o.value === value)) select.append(h('option', { value }, label ?? value));
    select.value = value;
  }

  function renderPager() {
    const shown = tbody.querySelectorAll('tr[data-run-id]').length;
    pageInfo.textContent = shown === 0 ? `0 of ${count(total)}` : `${count(offset + 1)}–${count(offset + shown)} of ${count(total)}`;
    prev.disabled = offset === 0;
    next.disabled = offset + PAGE_SIZE >= total;
    const active = [...rows.values()].filter((r) => ACTIVE_RUN.has(r.state)).length;
    summary.textContent = `${count(total)} ${total === 1 ? 'run' : 'runs'}${active ? ` · ${active} active on this page` : ''}`;
  }

  function renderEmpty() {
    if (rows.size > 0) return;
    const filtered = stateFilter().length > 0 || query.dir;
    const message = filtered ? ['No runs match these filters. ', h('a', { href: '#/' }, 'Show all runs')] : ['No runs yet. Start one with ', h('code', {}, 'baton run'), '.'];
    fill(tbody, h('tr', { class: 'empty' }, h('td', { colspan: 8 }, message)));
  }

  function addDirs(dirs) {
    for (const dir of dirs) {
      if (dir && ![...dirSelect.options].some((o) => o.value === dir)) dirSelect.append(h('option', { value: dir, title: dir }, dir));
    }
  }

  async function load() {
    const seq = ++loadSeq;
    offset = (page() - 1) * PAGE_SIZE;
    const params = new URLSearchParams({ offset: String(offset), limit: String(PAGE_SIZE) });
    if (query.state) params.set('state', query.state);
    if (query.dir) params.set('dir', query.dir);
    try {
      const data = await api('GET', `/api/runs?${params}`);
      if (seq !== loadSeq) return;
      total = data.total ?? 0;
      addDirs(data.dirs ?? []);
      if (query.dir) setSelect(dirSelect, query.dir);
      rows = new Map();
      fill(tbody);
      for (const row of data.runs ?? []) {
        rows.set(row.id, row);
        knownRuns.set(row.id, row);
        tbody.append(runRow(row));
      }
      renderEmpty();
      renderPager();
    } catch (error) {
      if (seq === loadSeq) showError(error.message);
    }
  }

  async function loadPlans() {
    try {
      const data = await api('GET', `/api/plans?offset=0&limit=${PLAN_LIMIT}`);
      plansTotal = data.total ?? 0;
      plans = new Map();
      fill(plansBody);
      for (const plan of data.plans ?? []) {
        plans.set(plan.id, plan);
        plansBody.append(planRow(plan));
      }
      renderPlansInfo();
    } catch (error) {
      showError(error.message);
    }
  }

  function renderPlansInfo() {
    // No plans: one line instead of an empty table, so the runs move up.
    plansTable.hidden = plans.size === 0;
    if (plans.size === 0) fill(plansInfo, 'none yet · start one with ', h('code', {}, 'baton plan run plan.yaml'));
    else plansInfo.textContent = plansTotal > plans.size ? `latest ${plans.size} of ${count(plansTotal)}` : `${count(plansTotal)} ${plansTotal === 1 ? 'plan' : 'plans'}`;
  }

  function mergeRuns(changed) {
    for (const row of changed) {
      knownRuns.set(row.id, row);
      addDirs([row.dir]);
      const existing = tbody.querySelector(`tr[data-run-id="${CSS.escape(row.id)}"]`);
      if (existing) {
        rows.set(row.id, row);
        existing.replaceWith(runRow(row));
      } else if (matches(row) && offset === 0) {
        if (rows.size === 0) fill(tbody);
        rows.set(row.id, row);
        tbody.prepend(runRow(row, true));
        total += 1;
        const all = tbody.querySelectorAll('tr[data-run-id]');
        if (all.length > PAGE_SIZE) {
          const last = all[all.length - 1];
          rows.delete(last.dataset.runId);
          last.remove();
        }
      }
    }
    renderPager();
  }

  function mergePlans(changed) {
    for (const plan of changed) {
      const existing = plansBody.querySelector(`tr[data-plan-id="${CSS.escape(plan.id)}"]`);
      if (existing) existing.replaceWith(planRow(plan));
      else {
        plansBody.prepend(planRow(plan, true));
        plansTotal += 1;
      }
      plans.set(plan.id, plan);
    }
    renderPlansInfo();
  }

  const unsubscribe = onLive((kind, payload) => {
    if (kind === 'runs') mergeRuns(payload);
    else if (kind === 'plans') mergePlans(payload);
    else if (kind === 'reconnected') {
      load();
      loadPlans();
    }
  });

  function update(nextQuery) {
    query = nextQuery;
    setSelect(stateSelect, query.state ?? '', query.state);
    setSelect(dirSelect, query.dir ?? '');
    document.title = 'Runs · Baton';
    load();
  }

  update(initialQuery);
  loadPlans();
  return { root, update, destroy: unsubscribe };
}

/** A click anywhere on a row opens the row's page, unless it was on a link or control of its own. */
function followRowLink(event) {
  if (event.target.closest('a, button, input, select, textarea')) return;
  if (window.getSelection()?.toString()) return; // selecting text, not navigating
  const link = event.target.closest('tr')?.querySelector('a[data-main]');
  if (link) location.hash = link.getAttribute('href');
}

function runRow(row, fresh = false) {
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
    h('td', { class: 'c-agent' }, h('div', { class: 'line1' }, agentText(row)), row.model ? h('div', { class: 'sub mono' }, row.model) : null),
    h('td', { class: 'c-dir mono', title: row.dir }, shortDir(row.dir)),
    h('td', { class: 'c-elapsed' }, elapsedEl(row.elapsedMs, row.expected, ACTIVE_RUN.has(row.state))),
    h('td', { class: 'c-spark', html: sparkline(row.growth, { width: 96, height: 22 }) }),
    h('td', { class: 'num', 'data-field': 'lines' }, count(row.outputLines)),
    h('td', { class: 'c-ago' }, agoEl(latest(toMs(row.lastActivityAt), toMs(row.lastOutputAt)))),
  );
}

function latest(...times) {
  const known = times.filter((t) => t !== null && Number.isFinite(t));
  return known.length ? Math.max(...known) : null;
}

function planRow(plan, fresh = false) {
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

// ---------------------------------------------------------------------------------------------
// #/runs/:id — one run

function runView(id) {
  let status = null;
  let expected = null;
  let growth = [];
  let stream = null;
  let ended = false;
  let offset = 0;
  let retryMs = 1000;
  let retryTimer = null;
  let destroyed = false;

  const stateSlot = h('span', { class: 'state-slot' });
  const titleSlot = h('h1', { class: 'run-title' }, h('span', { class: 'mono' }, id));
  const actions = h('div', { class: 'actions' });
  const retrying = h('p', { class: 'retrying', hidden: true });
  const meta = h('dl', { class: 'meta' });
  const reasons = h('ul', { id: 'reasons', class: 'reasons' });
  const reasonsEmpty = h('p', { class: 'muted' }, 'None: the run is going, or did what it was asked.');
  const followUp = h('pre', { id: 'follow-up', class: 'follow-up' });
  const followLabel = h('p', { class: 'field-label' }, 'Baton would send');
  const resumeBox = h('div', { class: 'resume-box' });
  const followCard = card('Follow-up', null, followLabel, followUp, resumeBox);
  const files = h('ul', { id: 'files', class: 'files' });
  const filesEmpty = h('p', { class: 'muted' }, 'None yet.');
  const filesInfo = h('span', { class: 'card-note' });
  const tools = h('div', { class: 'tools' });
  const commands = h('ul', { class: 'commands' });
  const errors = h('ul', { class: 'errors' });
  const errorsCard = card('Errors', null, errors);
  const timeline = h('ul', { id: 'timeline', class: 'timeline' });
  const timelineEmpty = h('p', { class: 'muted' }, 'No events yet.');
  const chart = h('div', { class: 'chart' });
  const chartNote = h('span', { class: 'card-note' });
  const tail = h('div', { id: 'tail', class: 'log', tabindex: '0', 'aria-label': 'log output' });
  const logNote = h('span', { class: 'card-note' }, 'loading…');
  const jump = h('button', { type: 'button', class: 'jump', hidden: true }, '↓ Latest');
  const finalMessage = h('pre', { class: 'final' });
  const finalCard = card('Final message', null, finalMessage);

  const root = h(
    'section',
    { class: 'page', 'data-page': 'run', 'data-run-id': id },
    crumbs(h('span', { class: 'mono' }, id)),
    h('section', { class: 'card head' }, h('div', { class: 'title-row' }, titleSlot, stateSlot, actions), retrying, meta),
    h(
      'div',
      { class: 'columns' },
      h('div', { class: 'col-main' }, card('Log', logNote, h('div', { class: 'log-wrap' }, tail, jump)), card('Output lines', chartNote, chart), finalCard),
      h(
        'div',
        { class: 'col-side' },
        card('Reasons', null, reasons, reasonsEmpty),
        followCard,
        card('Timeline', null, timeline, timelineEmpty),
        card('Files changed', filesInfo, files, filesEmpty),
        card('Tools and commands', null, tools, commands),
        errorsCard,
      ),
    ),
  );

  // --- log tail --------------------------------------------------------------------------------
  const log = { state: initialAnsiState(), partial: '', partialEl: null };

  const atBottom = (el) => el.scrollHeight - el.scrollTop - el.clientHeight < 8;
  tail.addEventListener('scroll', () => {
    jump.hidden = atBottom(tail);
  });
  jump.addEventListener('click', () => {
    tail.scrollTop = tail.scrollHeight;
  });

  const lineEl = (html) => {
    const el = document.createElement('div');
    el.className = 'ln';
    el.innerHTML = `${html}\n`; // the newline keeps the element's text a faithful copy of the log
    return el;
  };

  /** Appends raw output (any chunking: partial lines and split escapes are held until complete). */
  function appendLog(text) {
    if (!text) return;
    tail.querySelector('.empty-log')?.remove();
    const follow = atBottom(tail);
    const combined = log.partial + text;
    const cut = combined.lastIndexOf('\n');
    log.partialEl?.remove();
    log.partialEl = null;
    const fragment = document.createDocumentFragment();
    if (cut >= 0) {
      // Every line is rendered, to keep the colour state right; only the last MAX_LOG_LINES are shown.
      const rendered = ansiLines(combined.slice(0, cut + 1), log.state);
      log.state = rendered.state;
      for (const html of rendered.lines.slice(-MAX_LOG_LINES)) fragment.append(lineEl(html));
    }
    log.partial = cut >= 0 ? combined.slice(cut + 1) : combined;
    // A progress bar redrawn with "\r" and no newline would grow without end: only the text after
    // the last "\r" is shown, so drop what came before (its colours still count). A "\r" at the very
    // end may be the first half of "\r\n", so it stays.
    const redraw = log.partial.lastIndexOf('\r', log.partial.length - 2);
    if (redraw >= 0) {
      log.state = ansiLines(log.partial.slice(0, redraw), log.state).state;
      log.partial = log.partial.slice(redraw + 1);
    }
    if (log.partial) {
      log.partialEl = lineEl(ansiLines(log.partial, log.state).lines[0] ?? '');
      log.partialEl.classList.add('partial');
      fragment.append(log.partialEl);
    }
    tail.append(fragment);
    let excess = tail.childElementCount - MAX_LOG_LINES;
    while (excess-- > 0) tail.firstElementChild.remove();
    if (follow) tail.scrollTop = tail.scrollHeight;
    else jump.hidden = false;
  }

  function setLogNote() {
    fill(logNote, ended ? 'ended' : stream ? h('span', { class: 'live-dot' }, 'live') : 'not streaming', ` · last ${count(Math.min(MAX_LOG_LINES, tail.childElementCount))} lines shown`);
  }

  // --- status ------------------------------------------------------------------------------------
  function render(next) {
    status = next.status ?? status;
    if (next.expected !== undefined) expected = next.expected;
    if (!status) return;
    const s = status;
    document.title = `${s.id} ${s.state} · Baton`;
    fill(stateSlot, badge(s.state));
    fill(titleSlot, h('span', { class: 'mono' }, s.id), s.name ? h('span', { class: 'run-name' }, s.name) : null);
    retrying.hidden = !s.retrying;
    retrying.textContent = s.retrying ? `⟳ ${s.retrying}` : '';
    renderMeta(s);
    renderActions(s);

    fill(reasons, ...(s.reasons ?? []).map((r) => h('li', {}, r)));
    reasonsEmpty.hidden = (s.reasons ?? []).length > 0;
    followUp.textContent = s.followUp ?? '';
    followUp.hidden = followLabel.hidden = !s.followUp;

    const changed = (s.filesChanged ?? []).map((f) => relativeTo(f, s.dir));
    fill(files, ...changed.map((f) => h('li', { class: 'mono', title: f }, f)));
    filesEmpty.hidden = changed.length > 0;
    filesInfo.textContent = `${changed.length} changed · ${count(s.filesRead ?? 0)} read`;

    const toolEntries = Object.entries(s.toolCounts ?? {}).filter(([, n]) => n > 0);
    fill(tools, ...toolEntries.map(([kind, n]) => h('span', { class: 'chip' }, kind, ' ', h('b', {}, count(n)))));
    if (toolEntries.length === 0) tools.append(h('span', { class: 'muted' }, 'no tool calls yet'));
    fill(
      commands,
      ...(s.commands ?? [])
        .slice()
        .reverse()
        .map((c) => h('li', {}, exitMark(c.exitCode, c.status), h('code', { title: c.command }, c.command), c.at ? h('span', { class: 'time' }, clock(typeof c.at === 'number' ? c.at : Date.parse(c.at))) : null)),
    );

    fill(
      errors,
      ...(s.errors ?? []).map((e) =>
        h('li', {}, h('span', { class: 'err-kind' }, e.api ? `API${e.status ? ` ${e.status}` : ''}` : 'error'), h('span', { class: 'err-msg' }, e.message), e.count > 1 ? h('span', { class: 'err-count' }, `×${e.count}`) : null),
      ),
    );
    errorsCard.hidden = (s.errors ?? []).length === 0;

    finalMessage.textContent = s.finalMessage ?? '';
    finalCard.hidden = !s.finalMessage;

    if (next.growth) growth = next.growth;
    renderChart();
    chartNote.textContent = Number.isFinite(s.recentLinesPerMinute) ? `+${count(s.recentLinesPerMinute)}/min over the last minute` : '';
    if (next.timeline) renderTimeline(next.timeline);
  }

  function renderChart() {
    if (!status) return;
    const end = toMs(status.endedAt) ?? (ACTIVE_RUN.has(status.state) ? Date.now() : undefined);
    chart.innerHTML = lineChart(growth, { width: 760, height: 190, startMs: toMs(status.startedAt) ?? undefined, endMs: end });
  }

  function renderMeta(s) {
    const range = expected ?? s.expected ?? knownRuns.get(s.id)?.expected ?? null;
    const item = (label, ...value) => h('div', {}, h('dt', {}, label), h('dd', {}, ...value));
    const tokens = s.tokens ?? {};
    const tokenParts = [`${compact(tokens.input ?? 0)} in`, `${compact(tokens.output ?? 0)} out`];
    if (tokens.reasoning) tokenParts.push(`${compact(tokens.reasoning)} reasoning`);
    if (tokens.cacheRead) tokenParts.push(`${compact(tokens.cacheRead)} cache read`);
    if (tokens.cacheWrite) tokenParts.push(`${compact(tokens.cacheWrite)} cache write`);
    const exit =
      s.exitCode !== null && s.exitCode !== undefined
        ? h('span', { class: s.exitCode === 0 ? 'ok' : 'bad' }, `exit ${s.exitCode}`)
        : s.signal
          ? h('span', { class: 'bad' }, s.signal)
          : ACTIVE_RUN.has(s.state)
            ? h('span', { class: 'muted' }, `running${s.pid ? ` · pid ${s.pid}` : ''}`)
            : '–';
    fill(
      meta,
      item('Agent', agentText(s)),
      item('Model', s.model ? h('span', { class: 'mono', title: s.model }, s.model) : h('span', { class: 'muted' }, 'not reported')),
      wide(item('Directory', h('span', { class: 'mono', title: s.dir }, s.dir))),
      wide(item('Session', s.sessionId ? h('span', { class: 'mono', title: s.sessionId }, s.sessionId) : h('span', { class: 'muted' }, 'not reported yet'))),
      item('Elapsed / expected', elapsedEl(s.elapsedMs, range, ACTIVE_RUN.has(s.state))),
      item('Output', `${count(s.outputLines)} lines · ${bytes(s.outputBytes)}`),
      item('Last output', agoEl(toMs(s.lastOutputAt))),
      wide(item('Tokens', h('span', { title: tokenParts.join(' · ') }, tokenParts.join(' · ')))),
      item('Cost', Number.isFinite(s.cost) ? `$${s.cost.toFixed(s.cost < 1 ? 3 : 2)}` : '–'),
      item('Exit', exit),
      item('Started', dateTime(toMs(s.startedAt))),
      s.endedAt ? item('Ended', dateTime(toMs(s.endedAt))) : null,
      s.limitResetAt ? wide(item('Limit lifts', dateTime(toMs(s.limitResetAt)), ' (', agoOrIn(toMs(s.limitResetAt)), ')')) : null,
      s.parentId ? item('Resumed from', h('a', { class: 'mono', href: `#/runs/${encodeURIComponent(s.parentId)}` }, s.parentId)) : null,
    );
  }

  function renderActions(s) {
    const canKill = ACTIVE_RUN.has(s.state);
    let kill = actions.querySelector('#kill');
    if (canKill && !kill) {
      kill = h('button', { id: 'kill', type: 'button', class: 'btn danger' }, 'Kill');
      kill.addEventListener('click', () => {
        if (!window.confirm(`Kill run ${s.id}? Its whole process group gets SIGTERM, then SIGKILL.`)) return;
        act(kill, async () => {
          const data = await api('POST', `/api/runs/${encodeURIComponent(id)}/kill`);
          render(asDetail(data?.status));
        });
      });
      actions.append(kill);
    } else if (!canKill && kill) kill.remove();

    const canResume = RESUMABLE_RUN.has(s.state) && Boolean(s.sessionId);
    if (canResume && !resumeBox.firstChild) {
      const prompt = h('textarea', { id: 'resume-prompt', rows: '3', placeholder: 'Leave empty to send Baton’s follow-up' });
      const resume = h('button', { id: 'resume', type: 'button', class: 'btn primary' }, 'Resume');
      resume.addEventListener('click', () =>
        act(resume, async () => {
          const text = prompt.value.trim();
          const data = await api('POST', `/api/runs/${encodeURIComponent(id)}/resume`, text ? { prompt: text } : {});
          if (data?.id) location.hash = `#/runs/${encodeURIComponent(data.id)}`;
          else render(asDetail(data?.status));
        }),
      );
      resumeBox.append(
        h('label', { class: 'field-label', for: 'resume-prompt' }, s.followUp ? 'Or write your own (optional)' : 'Prompt (optional)'),
        prompt,
        h('div', { class: 'resume-actions' }, h('span', { class: 'muted' }, 'Starts a new run in the same session.'), resume),
      );
    } else if (!canResume && resumeBox.firstChild) fill(resumeBox);
    followCard.hidden = !s.followUp && !canResume;
  }

  function renderTimeline(events) {
    const follow = atBottom(timeline);
    fill(
      timeline,
      ...events.map((e) =>
        h(
          'li',
          { class: `ev ev-${eventCategory(e.kind)}` },
          h('span', { class: 'time' }, e.at ? clock(e.at) : ''),
          h('span', { class: 'kind' }, e.kind),
          h('span', { class: 'summary' }, e.summary),
          e.exitCode !== undefined && e.exitCode !== null ? h('span', { class: `exit ${e.exitCode === 0 ? 'ok' : 'bad'}` }, `exit ${e.exitCode}`) : null,
        ),
      ),
    );
    timelineEmpty.hidden = events.length > 0;
    if (follow || timeline.dataset.scrolled === undefined) {
      timeline.scrollTop = timeline.scrollHeight;
      timeline.dataset.scrolled = '';
    }
  }

  // --- streaming ---------------------------------------------------------------------------------
  function openStream() {
    if (destroyed || ended) return;
    stream = new EventSource(`/api/runs/${encodeURIComponent(id)}/stream?offset=${offset}`);
    stream.addEventListener('open', () => {
      retryMs = 1000;
      setLogNote();
    });
    stream.addEventListener('tail', (event) => {
      const data = parseJson(event.data);
      if (!data || typeof data.text !== 'string') return;
      appendLog(data.text);
      offset = Number.isFinite(data.offset) ? data.offset : offset + new TextEncoder().encode(data.text).length;
      setLogNote();
    });
    stream.addEventListener('skipped', (event) => {
      // The server jumped ahead in a huge log: say so, and start the colours afresh after the gap.
      const data = parseJson(event.data);
      log.partialEl?.remove();
      Object.assign(log, { state: initialAnsiState(), partial: '', partialEl: null });
      tail.append(h('div', { class: 'ln skipped' }, `… ${bytes(data?.bytes ?? 0)} of output skipped …\n`));
    });
    stream.addEventListener('status', (event) => {
      const data = parseJson(event.data);
      if (data) render(data);
    });
    stream.addEventListener('end', () => {
      ended = true;
      closeStream();
      setLogNote();
      refreshStatus(); // the final state, in case its status event raced the end of the stream
    });
    stream.addEventListener('error', () => {
      // Reconnect ourselves, from the offset we have reached, so no output is shown twice.
      closeStream();
      setLogNote();
      if (destroyed || ended) return;
      retryTimer = setTimeout(() => {
        refreshStatus();
        openStream();
      }, retryMs);
      retryMs = Math.min(retryMs * 2, 30_000);
    });
  }

  function closeStream() {
    stream?.close();
    stream = null;
  }

  async function refreshStatus() {
    try {
      render(await api('GET', `/api/runs/${encodeURIComponent(id)}`));
    } catch (error) {
      showError(error.message);
    }
  }

  async function start() {
    try {
      const [detail, lastLines] = await Promise.all([api('GET', `/api/runs/${encodeURIComponent(id)}`), api('GET', `/api/runs/${encodeURIComponent(id)}/tail?lines=${TAIL_LINES}`)]);
      if (destroyed) return;
      render(detail);
      const lines = lastLines?.lines ?? [];
      if (lines.length) appendLog(`${lines.join('\n')}\n`);
      else tail.append(h('div', { class: 'ln muted empty-log' }, 'no output yet\n'));
      tail.scrollTop = tail.scrollHeight;
      offset = lastLines?.offset ?? 0;
      setLogNote();
      openStream();
    } catch (error) {
      showError(error.message);
      logNote.textContent = 'unavailable';
    }
  }

  // Keep the chart's time axis moving while the run is active but quiet.
  let ticks = 0;
  const onTick = () => {
    ticks += 1;
    if (ticks % 10 === 0 && status && ACTIVE_RUN.has(status.state)) renderChart();
  };
  tickers.add(onTick);

  start();
  return {
    root,
    destroy() {
      destroyed = true;
      clearTimeout(retryTimer);
      closeStream();
      tickers.delete(onTick);
    },
  };
}

/**
 * Timeline kinds are event kinds (text, error, retry …) or, for tool calls, the tool's own name
 * (bash, read, edit, glob …); they are coloured by what the call does.
 */
const EVENT_CATEGORIES = {
  read: 'read', glob: 'read', grep: 'read', list: 'read', ls: 'read', search: 'read', webfetch: 'read', view: 'read',
  edit: 'edit', write: 'edit', patch: 'edit', multiedit: 'edit', apply_patch: 'edit',
  bash: 'command', command: 'command', shell: 'command', exec: 'command', exec_command: 'command',
  error: 'error', denied: 'error', retry: 'warn',
  text: 'text', completion: 'done', exit: 'done', end: 'done',
  session: 'meta', model: 'meta', agent: 'meta', server: 'meta', start: 'meta', step: 'meta',
};

function eventCategory(kind) {
  return EVENT_CATEGORIES[String(kind).toLowerCase()] ?? 'tool';
}

/** An action's `status`: a RunStatus, or a whole detail ({status, growth, timeline, expected}). */
function asDetail(value) {
  if (value && typeof value.status === 'object' && value.status !== null) return value;
  return { status: value ?? null };
}

function agoOrIn(ms) {
  if (ms === null) return '–';
  const diff = ms - Date.now();
  return diff > 0 ? `in ${formatDuration(diff)}` : ago(ms);
}

function exitMark(exitCode, status) {
  if (exitCode !== undefined && exitCode !== null) return h('span', { class: `exit ${exitCode === 0 ? 'ok' : 'bad'}` }, `exit ${exitCode}`);
  if (status === 'error') return h('span', { class: 'exit bad' }, 'error');
  if (status === 'running' || status === 'pending') return h('span', { class: 'exit wait' }, status);
  return h('span', { class: 'exit' }, status ?? '');
}

// ---------------------------------------------------------------------------------------------
// #/plans/:id — one plan

function planView(id) {
  let plan = null;
  let refreshTimer = null;
  let destroyed = false;

  const titleSlot = h('h1', { class: 'run-title' }, h('span', { class: 'mono' }, id));
  const stateSlot = h('span', { class: 'state-slot' });
  const actions = h('div', { class: 'actions' });
  const meta = h('dl', { class: 'meta' });
  const reasons = h('ul', { id: 'plan-reasons', class: 'reasons' });
  const reasonsCard = card('Reasons', null, reasons);
  const ganttBox = h('div', { id: 'gantt', class: 'gantt-box' });
  const ganttNote = h('span', { class: 'card-note' });
  const phasesBody = h('tbody');
  phasesBody.addEventListener('click', followRowLink);

  const root = h(
    'section',
    { class: 'page', 'data-page': 'plan', 'data-plan-id': id },
    crumbs(h('span', {}, 'plan'), h('span', { class: 'mono' }, id)),
    h('section', { class: 'card head' }, h('div', { class: 'title-row' }, titleSlot, stateSlot, actions), meta),
    reasonsCard,
    card('Phases over time', ganttNote, ganttBox),
    card(
      'Phases',
      null,
      h(
        'div',
        { class: 'table-wrap flat' },
        h(
          'table',
          { class: 'grid phases' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', {}, 'Phase'),
              h('th', { class: 'c-state' }, 'State'),
              h('th', {}, 'Duration / expected'),
              h('th', { class: 'num', title: 'attempts at this phase' }, 'Tries'),
              h('th', { class: 'num', title: 'follow-ups sent because a run stopped early' }, 'Resumes'),
              h('th', { class: 'num', title: 'rounds of "fix these errors" after failed verification' }, 'Fixes'),
              h('th', {}, 'Verification'),
              h('th', {}, 'Commit'),
              h('th', {}, 'Runs'),
            ),
          ),
          phasesBody,
        ),
      ),
    ),
  );

  function render(next) {
    plan = next;
    const p = plan;
    document.title = `plan ${p.id} ${p.state} · Baton`;
    fill(titleSlot, h('span', { class: 'mono' }, p.id), p.project ? h('span', { class: 'run-name' }, p.project) : null);
    fill(stateSlot, badge(p.state));
    const created = toMs(p.createdAt);
    const ended = toMs(p.endedAt);
    const phases = p.phases ?? [];
    const done = phases.filter((ph) => DONE_PHASE.has(ph.state)).length;
    const item = (label, ...value) => h('div', {}, h('dt', {}, label), h('dd', {}, ...value));
    fill(
      meta,
      wide(item('Plan file', h('span', { class: 'mono', title: p.planFile }, p.planFile ?? '–'))),
      wide(item('Directory', h('span', { class: 'mono', title: p.dir }, p.dir ?? '–'))),
      item('Phases', `${done} of ${phases.length} done`),
      item('Driver', p.driverAlive ? h('span', { class: 'ok' }, 'running') : h('span', { class: p.state === 'running' ? 'bad' : 'muted' }, p.state === 'running' ? 'not running (crashed?)' : 'not running')),
      item('Started', dateTime(created)),
      item(ended ? 'Took' : 'Elapsed', created ? elapsedEl((ended ?? Date.now()) - created, null, !ended && p.state === 'running') : '–'),
      ended ? item('Ended', dateTime(ended)) : null,
    );
    fill(reasons, ...(p.reasons ?? []).map((r) => h('li', {}, r)));
    reasonsCard.hidden = (p.reasons ?? []).length === 0;
    renderActions(p);
    renderGantt();
    fill(phasesBody, ...phases.map(phaseRow));
    if (phases.length === 0) phasesBody.append(h('tr', { class: 'empty' }, h('td', { colspan: 9 }, 'This plan has no phases.')));
  }

  function renderGantt() {
    if (!plan) return;
    const width = Math.max(640, Math.floor(ganttBox.clientWidth || 1180));
    ganttBox.innerHTML = gantt(plan.phases ?? [], { width, labelWidth: Math.min(320, Math.round(width * 0.25)), now: Date.now() });
    const started = (plan.phases ?? []).filter((ph) => ph.startedAt).length;
    ganttNote.textContent = `${started} of ${(plan.phases ?? []).length} started · bars: actual time · bands: expected range`;
  }

  function renderActions(p) {
    const want = [];
    if (RESUMABLE_PLAN.has(p.state)) want.push(['plan-resume', 'Resume plan', 'primary', 'resume']);
    if (p.state === 'running') want.push(['plan-stop', 'Stop plan', 'danger', 'stop']);
    const ids = want.map((w) => w[0]).join(',');
    if (actions.dataset.ids === ids) return;
    actions.dataset.ids = ids;
    fill(
      actions,
      ...want.map(([buttonId, label, kind, verb]) => {
        const button = h('button', { id: buttonId, type: 'button', class: `btn ${kind}` }, label);
        button.addEventListener('click', () => act(button, async () => render(await api('POST', `/api/plans/${encodeURIComponent(id)}/${verb}`))));
        return button;
      }),
    );
  }

  async function load() {
    try {
      const data = await api('GET', `/api/plans/${encodeURIComponent(id)}`);
      if (!destroyed) render(data);
    } catch (error) {
      showError(error.message);
    }
  }

  /** Several changes arrive together while a phase moves on: fetch once for all of them. */
  function scheduleLoad() {
    if (refreshTimer) return;
    refreshTimer = setTimeout(() => {
      refreshTimer = null;
      load();
    }, 250);
  }

  const ownRuns = () => new Set((plan?.phases ?? []).flatMap((ph) => (ph.runs ?? []).map((r) => r.id)));
  const unsubscribe = onLive((kind, payload) => {
    if (kind === 'plans' && payload.some((row) => row.id === id)) scheduleLoad();
    else if (kind === 'runs') {
      const mine = ownRuns();
      // A run of this plan changed state, or a new run started while a phase of ours is under way.
      // Output growing does not change the plan, so it causes no fetch.
      const moved = (row) => (mine.has(row.id) && knownRuns.get(row.id)?.state !== row.state) || (plan?.state === 'running' && !knownRuns.has(row.id));
      if (payload.some(moved)) scheduleLoad();
      for (const row of payload) knownRuns.set(row.id, row);
    } else if (kind === 'reconnected') scheduleLoad();
  });

  let ticks = 0;
  const onTick = () => {
    ticks += 1;
    if (!plan || plan.state !== 'running') return;
    if (ticks % 5 === 0) renderGantt(); // open bars grow with the clock
    if (ticks % 30 === 0) scheduleLoad(); // belt and braces if a change was not streamed
  };
  tickers.add(onTick);
  const onResize = () => renderGantt();
  window.addEventListener('resize', onResize);

  load();
  return {
    root,
    destroy() {
      destroyed = true;
      clearTimeout(refreshTimer);
      unsubscribe();
      tickers.delete(onTick);
      window.removeEventListener('resize', onResize);
    },
  };
}

function phaseRow(ph) {
  const start = toMs(ph.startedAt);
  const end = toMs(ph.endedAt);
  const live = start !== null && end === null;
  const elapsed = start === null ? null : Number.isFinite(ph.durationMs) && !live ? ph.durationMs : (end ?? Date.now()) - start;
  const timing = ph.timing && Number.isFinite(ph.timing.expectedMinMs) ? { minMs: ph.timing.expectedMinMs, maxMs: ph.timing.expectedMaxMs, kind: ph.timing.kind } : null;
  const v = ph.verification;
  const paths = ph.committedPaths ?? [];
  const durationCell = elapsed === null ? h('span', { class: 'muted' }, timing ? `– / ${formatRange(timing.minMs, timing.maxMs)}` : '–') : elapsedEl(elapsed, timing, live);
  if (ph.timing?.judgement && elapsed !== null) durationCell.title = `${ph.timing.judgement}${timing?.kind ? ` (${timing.kind})` : ''}`;
  return h(
    'tr',
    { 'data-phase-id': ph.id },
    h('td', { class: 'c-run' }, h('div', { class: 'line1' }, h('span', { class: 'mono id' }, ph.id), h('span', { class: 'run-name' }, ph.title ?? '')), ph.reasons?.length ? h('div', { class: 'sub reason', title: ph.reasons.join('\n') }, ph.reasons[0]) : null),
    h('td', { class: 'c-state' }, badge(ph.state, 'phase-state')),
    h('td', {}, durationCell),
    h('td', { class: 'num' }, count(ph.attempts ?? 0)),
    h('td', { class: 'num' }, count(ph.resumes ?? 0)),
    h('td', { class: 'num' }, count(ph.fixes ?? 0)),
    h(
      'td',
      { class: 'c-verify' },
      v
        ? [
            h('span', { class: `exit ${v.passed ? 'ok' : 'bad'}` }, v.passed ? '✓ passed' : `✗ ${v.exitCode !== undefined && v.exitCode !== null ? `exit ${v.exitCode}` : 'failed'}`),
            v.command ? h('code', { title: v.command }, v.command) : null,
          ]
        : h('span', { class: 'muted' }, '–'),
    ),
    h(
      'td',
      { class: 'c-commit' },
      ph.commitSha ? h('span', { class: 'mono sha', title: ph.commitSha }, ph.commitSha.slice(0, 7)) : h('span', { class: 'muted' }, '–'),
      paths.length ? h('div', { class: 'sub paths', title: paths.join('\n') }, paths.slice(0, 3).join(', '), paths.length > 3 ? ` +${paths.length - 3} more` : '') : null,
    ),
    h(
      'td',
      { class: 'c-runs' },
      (ph.runs ?? []).map((r) => h('a', { class: `run-link state-${r.state ?? 'unknown'}`, href: `#/runs/${encodeURIComponent(r.id)}`, title: `${r.kind} run${r.state ? `, ${r.state}` : ''}` }, h('span', { class: 'dot' }), h('span', { class: 'mono' }, r.id), r.kind ? h('span', { class: 'run-kind' }, r.kind) : null)),
    ),
  );
}

// ---------------------------------------------------------------------------------------------

window.addEventListener('hashchange', route);
connectGlobalStream();
route();
