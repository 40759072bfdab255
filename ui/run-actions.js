// @ts-check
// The run page's buttons: Kill while the run has a process, and Resume (with an optional prompt of
// one's own) once it stopped short and has a session to go on in.

import { act, api } from './api.js';
import { fill, h } from './dom.js';
import { ACTIVE_RUN, RESUMABLE_RUN } from './states.js';

/**
 * @typedef {import('../src/ui/views.js').RunStatus} RunStatus
 * @typedef {import('../src/ui/views.js').RunDetail} RunDetail
 * @typedef {import('../src/ui/views.js').RunActionResult} RunActionResult
 * @typedef {import('./run-layout.js').RunLayout} RunLayout
 */

/**
 * Adds or removes the buttons for the run's state; buttons already there are kept, so a resume prompt
 * being typed survives status updates.
 * @param {RunLayout} page
 * @param {RunStatus} s
 * @param {(detail: RunDetail) => void} render shows the run as an action left it
 */
export function renderRunActions(page, s, render) {
  const canKill = ACTIVE_RUN.has(s.state);
  const kill = page.actions.querySelector('#kill');
  if (canKill && !kill) page.actions.append(killButton(s.id, render));
  else if (!canKill && kill) kill.remove();

  const canResume = RESUMABLE_RUN.has(s.state) && Boolean(s.sessionId);
  if (canResume && !page.resumeBox.firstChild) page.resumeBox.append(...resumeForm(s, render));
  else if (!canResume && page.resumeBox.firstChild) fill(page.resumeBox);
  page.followCard.hidden = !s.followUp && !canResume;
}

/** @param {string} id */
const runPath = (id) => `/api/runs/${encodeURIComponent(id)}`;

/**
 * @param {string} id
 * @param {(detail: RunDetail) => void} render
 */
function killButton(id, render) {
  const kill = h('button', { id: 'kill', type: 'button', class: 'btn danger' }, 'Kill');
  kill.addEventListener('click', () => {
    if (!window.confirm(`Kill run ${id}? Its whole process group gets SIGTERM, then SIGKILL.`)) return;
    act(kill, async () => {
      const data = /** @type {RunActionResult} */ (await api('POST', `${runPath(id)}/kill`));
      render(data.status);
    });
  });
  return kill;
}

/**
 * The prompt box and the Resume button; a resumed run is a new run, so the page moves to it.
 * @param {RunStatus} s
 * @param {(detail: RunDetail) => void} render
 */
function resumeForm(s, render) {
  const prompt = h('textarea', { id: 'resume-prompt', rows: '3', placeholder: 'Leave empty to send Baton’s follow-up' });
  const resume = h('button', { id: 'resume', type: 'button', class: 'btn primary' }, 'Resume');
  resume.addEventListener('click', () =>
    act(resume, async () => {
      const text = prompt.value.trim();
      const data = /** @type {RunActionResult} */ (await api('POST', `${runPath(s.id)}/resume`, text ? { prompt: text } : {}));
      if (data.id) location.hash = `#/runs/${encodeURIComponent(data.id)}`;
      else render(data.status);
    }),
  );
  return [
    h('label', { class: 'field-label', for: 'resume-prompt' }, s.followUp ? 'Or write your own (optional)' : 'Prompt (optional)'),
    prompt,
    h('div', { class: 'resume-actions' }, h('span', { class: 'muted' }, 'Starts a new run in the same session.'), resume),
  ];
}
