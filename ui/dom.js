// Builds the dashboard's DOM. Text always goes in through the DOM, never as markup, so nothing a run
// or plan reports can inject HTML; the one way in for markup, `html`, is reserved for ansi.js and
// charts.js, which escape every piece of text they are given.

/** Creates an element. Children are nodes or text; `html` is only ever markup from ansi.js or charts.js. */
export function h(tag, attrs = {}, ...children) {
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
export function fill(el, ...children) {
  el.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

/** Within a few pixels of the end: the reader is following along, so new content keeps it there. */
export const atBottom = (el) => el.scrollHeight - el.scrollTop - el.clientHeight < 8;
