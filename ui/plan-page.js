// #/plans/:id — one plan: its phases on a timeline against their expected durations, a row per phase
// with its tries, verification and commit, and the resume and stop buttons.

import { act, api, showError } from './api.js';
import { formatRange, gantt } from './charts.js';
import { fill, h } from './dom.js';
import { count, dateTime, toMs } from './format.js';
import { knownRuns, onLive } from './live.js';
import { DONE_PHASE, RESUMABLE_PLAN } from './states.js';
import { everySecond } from './ticker.js';
import { badge, card, crumbs, elapsedEl, followRowLink, metaItem, wide } from './widgets.js';

export function planView(id) {
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
    fill(
      meta,
      wide(metaItem('Plan file', h('span', { class: 'mono', title: p.planFile }, p.planFile ?? '–'))),
      wide(metaItem('Directory', h('span', { class: 'mono', title: p.dir }, p.dir ?? '–'))),
      metaItem('Phases', `${done} of ${phases.length} done`),
      metaItem('Driver', p.driverAlive ? h('span', { class: 'ok' }, 'running') : h('span', { class: p.state === 'running' ? 'bad' : 'muted' }, p.state === 'running' ? 'not running (crashed?)' : 'not running')),
      metaItem('Started', dateTime(created)),
      metaItem(ended ? 'Took' : 'Elapsed', created ? elapsedEl((ended ?? Date.now()) - created, null, !ended && p.state === 'running') : '–'),
      ended ? metaItem('Ended', dateTime(ended)) : null,
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
  const stopTicking = everySecond(onTick);
  const onResize = () => renderGantt();
  window.addEventListener('resize', onResize);

  load();
  return {
    root,
    destroy() {
      destroyed = true;
      clearTimeout(refreshTimer);
      unsubscribe();
      stopTicking();
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
