// #/ — the front page: the latest plans, then a page of runs with filters for state and directory,
// kept current from the live stream without refetching the list.

import { api, showError } from './api.js';
import { sparkline } from './charts.js';
import { fill, h } from './dom.js';
import { agentText, count, latest, relativeTo, shortDir, toMs } from './format.js';
import { hashFor } from './hash-route.js';
import { knownRuns, onLive } from './live.js';
import { ACTIVE_RUN, RUN_STATES } from './states.js';
import { agoEl, badge, elapsedEl, followRowLink } from './widgets.js';

const PAGE_SIZE = 50;
const PLAN_LIMIT = 20;

export function runsView(initialQuery) {
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

  // Only a run started after every row shown is new; an older run that changed belongs on a later page.
  function isNewerThanShown(row) {
    const started = toMs(row.startedAt) ?? Infinity;
    for (const shown of rows.values()) if ((toMs(shown.startedAt) ?? 0) > started) return false;
    return true;
  }

  function mergeRuns(changed) {
    for (const row of changed) {
      knownRuns.set(row.id, row);
      addDirs([row.dir]);
      const existing = tbody.querySelector(`tr[data-run-id="${CSS.escape(row.id)}"]`);
      if (existing) {
        rows.set(row.id, row);
        existing.replaceWith(runRow(row));
      } else if (matches(row) && offset === 0 && isNewerThanShown(row)) {
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
