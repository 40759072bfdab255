// @ts-check
// #/plans/:id — one plan: its phases as a graph of needs (plan-dag.js, when the plan has needs), on a
// timeline against their expected durations, a row per phase with its tries, verification and commit
// (plan-phases.js), and the resume and stop buttons.

import { act, api, messageOf, showError } from './api.js';
import { concurrentSpans, gantt } from './charts.js';
import { fill, h } from './dom.js';
import { dateTime, toMs } from './format.js';
import { knownRuns, onLive } from './live.js';
import { hasNeeds, overlapWarning, planDag } from './plan-dag.js';
import { phaseRow, phasesCard } from './plan-phases.js';
import { DONE_PHASE, RESUMABLE_PLAN } from './states.js';
import { everySecond } from './ticker.js';
import { badge, card, crumbs, elapsedEl, metaItem, wide } from './widgets.js';

/**
 * @typedef {import('../src/ui/views.js').PlanStatus} PlanStatus
 * @typedef {import('./live.js').LiveMessage} LiveMessage
 */

/** @param {string} id */
export function planView(id) {
  const page = planLayout(id);
  /** @type {PlanStatus | null} */
  let plan = null;
  /** @type {ReturnType<typeof setTimeout> | null} */
  let refreshTimer = null;
  let destroyed = false;

  /** @param {PlanStatus} next */
  function render(next) {
    plan = next;
    renderPlan(page, next);
    renderPlanActions(page.actions, next, render);
    renderGantt();
  }

  function renderGantt() {
    if (plan) renderPhaseTimeline(page.ganttBox, page.ganttNote, plan);
  }

  async function load() {
    try {
      const data = /** @type {PlanStatus} */ (await api('GET', `/api/plans/${encodeURIComponent(id)}`));
      if (!destroyed) render(data);
    } catch (error) {
      showError(messageOf(error));
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

  const unsubscribe = onLive((message) => {
    if (concernsPlan(message, id, plan)) scheduleLoad();
    if (message.kind === 'runs') for (const row of message.rows) knownRuns.set(row.id, row);
  });

  let ticks = 0;
  const stopTicking = everySecond(() => {
    ticks += 1;
    if (!plan || plan.state !== 'running') return;
    if (ticks % 5 === 0) renderGantt(); // open bars grow with the clock
    if (ticks % 30 === 0) scheduleLoad(); // belt and braces if a change was not streamed
  });
  window.addEventListener('resize', renderGantt);

  load();
  return {
    root: page.root,
    destroy() {
      destroyed = true;
      if (refreshTimer) clearTimeout(refreshTimer);
      unsubscribe();
      stopTicking();
      window.removeEventListener('resize', renderGantt);
    },
  };
}

/**
 * Whether a live message may change what the plan page shows. Must run before the message's rows are
 * remembered in knownRuns: a run's state is compared with the one seen before.
 * @param {LiveMessage} message
 * @param {string} id
 * @param {PlanStatus | null} plan
 */
function concernsPlan(message, id, plan) {
  if (message.kind === 'plans') return message.rows.some((row) => row.id === id);
  if (message.kind === 'reconnected') return true;
  const mine = new Set((plan?.phases ?? []).flatMap((ph) => (ph.runs ?? []).map((r) => r.id)));
  // A run of this plan changed state, or a new run started while a phase of ours is under way.
  // Output growing does not change the plan, so it causes no fetch.
  return message.rows.some((row) => (mine.has(row.id) && knownRuns.get(row.id)?.state !== row.state) || (plan?.state === 'running' && !knownRuns.has(row.id)));
}

/** @param {string} id */
function planLayout(id) {
  const parts = {
    titleSlot: h('h1', { class: 'run-title' }, h('span', { class: 'mono' }, id)),
    stateSlot: h('span', { class: 'state-slot' }),
    actions: h('div', { class: 'actions' }),
    meta: h('dl', { class: 'meta' }),
    reasons: h('ul', { id: 'plan-reasons', class: 'reasons' }),
    ganttBox: h('div', { id: 'gantt', class: 'gantt-box' }),
    ganttNote: h('span', { class: 'card-note' }),
    dagBox: h('div', { id: 'dag', class: 'dag-box' }),
    dagNote: h('span', { class: 'card-note' }),
    overlaps: h('ul', { id: 'plan-overlaps', class: 'overlaps' }),
    phasesBody: h('tbody'),
  };
  const reasonsCard = card('Reasons', null, parts.reasons);
  const dagCard = card('Phase graph', parts.dagNote, parts.overlaps, parts.dagBox);
  dagCard.classList.add('dag-card');
  dagCard.hidden = true;
  const ganttCard = card('Phases over time', parts.ganttNote, parts.ganttBox);
  ganttCard.classList.add('gantt-card');
  const root = h(
    'section',
    { class: 'page', 'data-page': 'plan', 'data-plan-id': id },
    crumbs(h('span', {}, 'plan'), h('span', { class: 'mono' }, id)),
    h('section', { class: 'card head' }, h('div', { class: 'title-row' }, parts.titleSlot, parts.stateSlot, parts.actions), parts.meta),
    reasonsCard,
    h('div', { class: 'plan-graphs' }, dagCard, ganttCard),
    phasesCard(parts.phasesBody),
  );
  return { root, reasonsCard, dagCard, dag: planDag(parts.dagBox), ...parts };
}

/**
 * @param {ReturnType<typeof planLayout>} page
 * @param {PlanStatus} p
 */
function renderPlan(page, p) {
  document.title = `plan ${p.id} ${p.state} · Baton`;
  fill(page.titleSlot, h('span', { class: 'mono' }, p.id), p.project ? h('span', { class: 'run-name' }, p.project) : null);
  fill(page.stateSlot, badge(p.state));
  const created = toMs(p.createdAt);
  const ended = toMs(p.endedAt);
  const phases = p.phases ?? [];
  const done = phases.filter((ph) => DONE_PHASE.has(ph.state)).length;
  fill(
    page.meta,
    wide(metaItem('Plan file', h('span', { class: 'mono', title: p.planFile }, p.planFile ?? '–'))),
    wide(metaItem('Directory', h('span', { class: 'mono', title: p.dir }, p.dir ?? '–'))),
    metaItem('Phases', `${done} of ${phases.length} done`),
    metaItem('Driver', p.driverAlive ? h('span', { class: 'ok' }, 'running') : h('span', { class: p.state === 'running' ? 'bad' : 'muted' }, p.state === 'running' ? 'not running (crashed?)' : 'not running')),
    metaItem('Started', dateTime(created)),
    metaItem(ended ? 'Took' : 'Elapsed', created ? elapsedEl((ended ?? Date.now()) - created, null, !ended && p.state === 'running') : '–'),
    ended ? metaItem('Ended', dateTime(ended)) : null,
  );
  fill(page.reasons, ...(p.reasons ?? []).map((r) => h('li', {}, r)));
  page.reasonsCard.hidden = (p.reasons ?? []).length === 0;
  renderGraph(page, p);
  fill(page.phasesBody, ...phases.map(phaseRow));
  if (phases.length === 0) page.phasesBody.append(h('tr', { class: 'empty' }, h('td', { colspan: 9 }, 'This plan has no phases.')));
}

/**
 * The graph of needs and the warnings about phases that may edit the same files side by side; hidden
 * for a plan with neither, which runs its phases one after another like the table lists them.
 * @param {ReturnType<typeof planLayout>} page
 * @param {PlanStatus} p
 */
function renderGraph(page, p) {
  const phases = p.phases ?? [];
  const overlaps = p.overlaps ?? [];
  const drawn = hasNeeds(phases);
  page.dagCard.hidden = !drawn && overlaps.length === 0;
  page.dagBox.hidden = !drawn;
  if (drawn) page.dag.render(phases);
  const warnings = overlaps.map(overlapWarning);
  if (page.overlaps.dataset.text !== warnings.join('\n')) {
    page.overlaps.dataset.text = warnings.join('\n');
    fill(page.overlaps, ...warnings.map((w) => h('li', {}, w)));
  }
  page.overlaps.hidden = warnings.length === 0;
  const note = `${p.maxParallel > 1 ? `up to ${p.maxParallel} at once` : 'one at a time'} · arrows: needs`;
  if (page.dagNote.textContent !== note) page.dagNote.textContent = note;
}

/**
 * Resume for a plan that stopped short, Stop for a running one; redrawn only when that changes.
 * @param {HTMLElement} actions
 * @param {PlanStatus} p
 * @param {(plan: PlanStatus) => void} render
 */
function renderPlanActions(actions, p, render) {
  /** @type {[string, string, string, 'resume' | 'stop'][]} */
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
      button.addEventListener('click', () => act(button, async () => render(/** @type {PlanStatus} */ (await api('POST', `/api/plans/${encodeURIComponent(p.id)}/${verb}`)))));
      return button;
    }),
  );
}

/**
 * @param {HTMLElement} box
 * @param {HTMLElement} note
 * @param {PlanStatus} plan
 */
function renderPhaseTimeline(box, note, plan) {
  const width = Math.max(640, Math.floor(box.clientWidth || 1180));
  box.innerHTML = gantt(plan.phases ?? [], { width, labelWidth: Math.min(320, Math.round(width * 0.25)), now: Date.now() });
  const started = (plan.phases ?? []).filter((ph) => ph.startedAt).length;
  const sideBySide = concurrentSpans(plan.phases ?? []).length > 0 ? ' · shaded: side by side' : '';
  note.textContent = `${started} of ${(plan.phases ?? []).length} started · bars: actual time · bands: expected range${sideBySide}`;
}
