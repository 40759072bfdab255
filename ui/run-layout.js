// @ts-check
// The run page's parts, built once: the head with its title, state and buttons, the log, the chart
// and the side cards. run-status.js fills them from each status; nothing here reads a run.

import { h } from './dom.js';
import { logTail } from './log-tail.js';
import { runTimeline } from './run-timeline.js';
import { card, crumbs } from './widgets.js';

/** @typedef {ReturnType<typeof runLayout>} RunLayout */

/** @param {string} id */
export function runLayout(id) {
  const reasonsEmpty = h('p', { class: 'muted' }, 'None: the run is going, or did what it was asked.');
  const followLabel = h('p', { class: 'field-label' }, 'Baton would send');
  const followUp = h('pre', { id: 'follow-up', class: 'follow-up' });
  const resumeBox = h('div', { class: 'resume-box' });
  const errors = h('ul', { class: 'errors' });
  const finalMessage = h('pre', { class: 'final' });
  const parts = {
    stateSlot: h('span', { class: 'state-slot' }),
    titleSlot: h('h1', { class: 'run-title' }, h('span', { class: 'mono' }, id)),
    actions: h('div', { class: 'actions' }),
    retrying: h('p', { class: 'retrying', hidden: true }),
    meta: h('dl', { class: 'meta' }),
    reasons: h('ul', { id: 'reasons', class: 'reasons' }),
    reasonsEmpty,
    followUp,
    followLabel,
    resumeBox,
    followCard: card('Follow-up', null, followLabel, followUp, resumeBox),
    files: h('ul', { id: 'files', class: 'files' }),
    filesEmpty: h('p', { class: 'muted' }, 'None yet.'),
    filesInfo: h('span', { class: 'card-note' }),
    tools: h('div', { class: 'tools' }),
    commands: h('ul', { class: 'commands' }),
    errors,
    errorsCard: card('Errors', null, errors),
    timeline: runTimeline(),
    chart: h('div', { class: 'chart' }),
    chartNote: h('span', { class: 'card-note' }),
    log: logTail(),
    logNote: h('span', { class: 'card-note' }, 'loading…'),
    finalMessage,
    finalCard: card('Final message', null, finalMessage),
  };
  const root = h(
    'section',
    { class: 'page', 'data-page': 'run', 'data-run-id': id },
    crumbs(h('span', { class: 'mono' }, id)),
    h('section', { class: 'card head' }, h('div', { class: 'title-row' }, parts.titleSlot, parts.stateSlot, parts.actions), parts.retrying, parts.meta),
    h(
      'div',
      { class: 'columns' },
      h('div', { class: 'col-main' }, card('Log', parts.logNote, parts.log.root), card('Output lines', parts.chartNote, parts.chart), parts.finalCard),
      h(
        'div',
        { class: 'col-side' },
        card('Reasons', null, parts.reasons, reasonsEmpty),
        parts.followCard,
        card('Timeline', null, parts.timeline.list, parts.timeline.empty),
        card('Files changed', parts.filesInfo, parts.files, parts.filesEmpty),
        card('Tools and commands', null, parts.tools, parts.commands),
        parts.errorsCard,
      ),
    ),
  );
  return { root, ...parts };
}
