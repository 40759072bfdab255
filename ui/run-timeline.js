// @ts-check
// A run's events in order, coloured by what each did, so a reader sees at a glance where the agent
// read, edited, ran commands or hit errors.

import { atBottom, fill, h } from './dom.js';
import { clock } from './format.js';

/** @typedef {import('../src/ui/views.js').TimelineEntry} TimelineEntry */

/**
 * Timeline kinds are event kinds (text, error, retry …) or, for tool calls, the tool's own name
 * (bash, read, edit, glob …); they are coloured by what the call does.
 */
/** @type {Record<string, string>} */
const EVENT_CATEGORIES = {
  read: 'read', glob: 'read', grep: 'read', list: 'read', ls: 'read', search: 'read', webfetch: 'read', view: 'read',
  edit: 'edit', write: 'edit', patch: 'edit', multiedit: 'edit', apply_patch: 'edit',
  bash: 'command', command: 'command', shell: 'command', exec: 'command', exec_command: 'command',
  error: 'error', denied: 'error', retry: 'warn',
  text: 'text', completion: 'done', exit: 'done', end: 'done',
  session: 'meta', model: 'meta', agent: 'meta', server: 'meta', start: 'meta', step: 'meta',
};

/** @param {string} kind */
function eventCategory(kind) {
  return EVENT_CATEGORIES[String(kind).toLowerCase()] ?? 'tool';
}

export function runTimeline() {
  const list = h('ul', { id: 'timeline', class: 'timeline' });
  const empty = h('p', { class: 'muted' }, 'No events yet.');

  /** @param {TimelineEntry[]} events */
  function render(events) {
    const follow = atBottom(list);
    fill(
      list,
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
    empty.hidden = events.length > 0;
    // The first render starts at the newest events; after that, only if the reader was already there.
    if (follow || list.dataset.scrolled === undefined) {
      list.scrollTop = list.scrollHeight;
      list.dataset.scrolled = '';
    }
  }

  return { list, empty, render };
}
