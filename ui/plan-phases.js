// @ts-check
// A plan's phases as a table: state (and stage), time against the expected range, tries,
// verification, commit and the runs each phase started; in a parallel plan also what it needs, its
// worktree and branch, and how far the plan branch moved on since the worktree was made.

import { formatRange } from './charts.js';
import { h } from './dom.js';
import { count, toMs } from './format.js';
import { gridTable } from './list-rows.js';
import { stageText } from './plan-dag.js';
import { badge, card, elapsedEl } from './widgets.js';

/** @typedef {import('../src/ui/views.js').PhaseStatus} PhaseStatus */

/** @param {HTMLTableSectionElement} body */
export function phasesCard(body) {
  const th = (/** @type {string} */ text, /** @type {Record<string, string>} */ attrs = {}) => h('th', attrs, text);
  const heads = [
    th('Phase'),
    th('State', { class: 'c-state' }),
    th('Duration / expected'),
    th('Tries', { class: 'num', title: 'attempts at this phase' }),
    th('Resumes', { class: 'num', title: 'follow-ups sent because a run stopped early' }),
    th('Fixes', { class: 'num', title: 'rounds of "fix these errors" after failed verification' }),
    th('Verification'),
    th('Commit'),
    th('Runs'),
  ];
  return card('Phases', null, gridTable('table-wrap flat', 'grid phases', body, heads));
}

/** @param {PhaseStatus} ph */
export function phaseRow(ph) {
  const paths = ph.committedPaths ?? [];
  return h(
    'tr',
    { 'data-phase-id': ph.id },
    h(
      'td',
      { class: 'c-run' },
      h('div', { class: 'line1' }, h('span', { class: 'mono id' }, ph.id), h('span', { class: 'run-name' }, ph.title ?? '')),
      ph.reasons?.length ? h('div', { class: 'sub reason', title: ph.reasons.join('\n') }, ph.reasons[0]) : null,
      ph.needs?.length ? h('div', { class: 'sub needs', 'data-field': 'needs' }, `needs ${ph.needs.join(', ')}`) : null,
      worktreeLine(ph),
    ),
    h('td', { class: 'c-state' }, badge(ph.state, 'phase-state'), stageLine(ph)),
    h('td', {}, durationCell(ph)),
    h('td', { class: 'num' }, count(ph.attempts ?? 0)),
    h('td', { class: 'num' }, count(ph.resumes ?? 0)),
    h('td', { class: 'num' }, count(ph.fixes ?? 0)),
    h('td', { class: 'c-verify' }, verificationCell(ph.verification)),
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

/**
 * The stage under the state badge where it says more than the state: "waiting on needs", "queued
 * for slot", "queued to merge #2".
 * @param {PhaseStatus} ph
 */
function stageLine(ph) {
  const stage = stageText(ph);
  return stage === ph.state ? null : h('div', { class: `sub stage stage-${ph.stage ?? ph.state}`, 'data-field': 'stage' }, stage);
}

/**
 * The phase's own branch (its worktree's folder in the tooltip) and how many commits the plan branch
 * gained since the worktree was made, which the merge will have to take in.
 * @param {PhaseStatus} ph
 */
function worktreeLine(ph) {
  if (!ph.worktree) return null;
  const behind = ph.behind ? ` · ${count(ph.behind)} behind` : '';
  return h('div', { class: 'sub worktree mono', 'data-field': 'worktree', title: `worktree ${ph.worktree.path}\nbranch ${ph.worktree.branch}` }, `⎇ ${ph.worktree.branch}${behind}`);
}

/**
 * Time taken (ticking while the phase runs) against its expected range, with the judgement as a tip.
 * @param {PhaseStatus} ph
 */
function durationCell(ph) {
  const start = toMs(ph.startedAt);
  const end = toMs(ph.endedAt);
  const live = start !== null && end === null;
  const elapsed = start === null ? null : ph.durationMs !== null && Number.isFinite(ph.durationMs) && !live ? ph.durationMs : (end ?? Date.now()) - start;
  const timing = ph.timing && Number.isFinite(ph.timing.expectedMinMs) ? { minMs: ph.timing.expectedMinMs, maxMs: ph.timing.expectedMaxMs, kind: ph.timing.kind } : null;
  const cell = elapsed === null ? h('span', { class: 'muted' }, timing ? `– / ${formatRange(timing.minMs, timing.maxMs)}` : '–') : elapsedEl(elapsed, timing, live);
  if (ph.timing?.judgement && elapsed !== null) cell.title = `${ph.timing.judgement}${timing?.kind ? ` (${timing.kind})` : ''}`;
  return cell;
}

/** @param {PhaseStatus['verification']} v */
function verificationCell(v) {
  if (!v) return h('span', { class: 'muted' }, '–');
  return [
    h('span', { class: `exit ${v.passed ? 'ok' : 'bad'}` }, v.passed ? '✓ passed' : `✗ ${v.exitCode !== undefined && v.exitCode !== null ? `exit ${v.exitCode}` : 'failed'}`),
    v.command ? h('code', { title: v.command }, v.command) : null,
  ];
}
