// @ts-check
// Builds the dashboard's DOM. Text always goes in through the DOM, never as markup, so nothing a run
// or plan reports can inject HTML; the one way in for markup, `html`, is reserved for ansi.js and
// charts.js, which escape every piece of text they are given.

/**
 * A child as h() and fill() take it: a node, text (numbers become text), or nothing (null, undefined,
 * false are skipped), or lists of these.
 * @typedef {Node | string | number | null | undefined | false} Leaf
 * @typedef {Leaf | Leaf[] | Leaf[][]} Child
 * @typedef {Record<string, unknown>} Attrs
 */

/**
 * Creates an element. Children are nodes or text; `html` is only ever markup from ansi.js or charts.js.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Attrs | null} [attrs]
 * @param {Child[]} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') el.className = String(value);
    else if (key === 'html') el.innerHTML = String(value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), /** @type {EventListener} */ (value));
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of /** @type {Leaf[]} */ (children.flat(Infinity))) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/**
 * Replaces an element's children, skipping null and false (which the DOM would print as text).
 * @template {Element} E
 * @param {E} el
 * @param {Child[]} children
 * @returns {E}
 */
export function fill(el, ...children) {
  const kept = /** @type {Leaf[]} */ (children.flat(Infinity)).filter((c) => c !== null && c !== undefined && c !== false);
  el.replaceChildren(...kept.map((c) => (c instanceof Node ? c : String(c))));
  return el;
}

/** Within a few pixels of the end: the reader is following along, so new content keeps it there. */
export const atBottom = (/** @type {Element} */ el) => el.scrollHeight - el.scrollTop - el.clientHeight < 8;
