// @ts-check
// A run's log as a terminal would show it: colours kept across chunks, "\r" redraws collapsed, only
// the newest lines kept in the page, and scrolling that follows the end until the reader scrolls up.

import { ansiLines, initialAnsiState } from './ansi.js';
import { atBottom, h } from './dom.js';
import { bytes } from './format.js';

const MAX_LOG_LINES = 2000;

/**
 * One line of the log, from ansi.js's markup.
 * @param {string} html
 */
function lineEl(html) {
  const el = document.createElement('div');
  el.className = 'ln';
  el.innerHTML = `${html}\n`; // the newline keeps the element's text a faithful copy of the log
  return el;
}

/** @typedef {ReturnType<typeof logTail>} LogTail */

export function logTail() {
  const tail = h('div', { id: 'tail', class: 'log', tabindex: '0', 'aria-label': 'log output' });
  const jump = h('button', { type: 'button', class: 'jump', hidden: true }, '↓ Latest');
  const root = h('div', { class: 'log-wrap' }, tail, jump);
  /** @type {{state: import('./ansi.js').AnsiState, partial: string, partialEl: HTMLElement | null}} */
  const log = { state: initialAnsiState(), partial: '', partialEl: null };

  tail.addEventListener('scroll', () => {
    jump.hidden = atBottom(tail);
  });
  jump.addEventListener('click', () => {
    tail.scrollTop = tail.scrollHeight;
  });

  /** Appends raw output (any chunking: partial lines and split escapes are held until complete). */
  /** @param {string} text */
  function append(text) {
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
      const partialEl = lineEl(ansiLines(log.partial, log.state).lines[0] ?? '');
      partialEl.classList.add('partial');
      fragment.append(partialEl);
      log.partialEl = partialEl;
    }
    tail.append(fragment);
    let excess = tail.childElementCount - MAX_LOG_LINES;
    while (excess-- > 0) tail.firstElementChild?.remove();
    if (follow) tail.scrollTop = tail.scrollHeight;
    else jump.hidden = false;
  }

  /** The server jumped ahead in a huge log: say so, and start the colours afresh after the gap. */
  /** @param {number} skippedBytes */
  function skipped(skippedBytes) {
    log.partialEl?.remove();
    Object.assign(log, { state: initialAnsiState(), partial: '', partialEl: null });
    tail.append(h('div', { class: 'ln skipped' }, `… ${bytes(skippedBytes)} of output skipped …\n`));
  }

  return {
    root,
    append,
    skipped,
    /** Says so in the log box, until the first output replaces it. */
    showEmpty(message = 'no output yet') {
      tail.append(h('div', { class: 'ln muted empty-log' }, `${message}\n`));
    },
    scrollToEnd() {
      tail.scrollTop = tail.scrollHeight;
    },
    shownLines: () => Math.min(MAX_LOG_LINES, tail.childElementCount),
  };
}
