// @ts-check
// Renders terminal output (SGR colours and styles) as HTML for the dashboard's log view.
// Pure functions, no DOM: the page and the tests call the same code. Every character of log text
// leaves here HTML-escaped, so an agent's output can never inject markup into the page.
// Colours become classes (ansi-fg-N / ansi-bg-N, styled in app.css) except 256-colour indices above
// 15 and 24-bit colours, which become inline styles built only from clamped integers.

const ESC = '\x1b';

/** @typedef {{fg: string|null, bg: string|null, bold: boolean, dim: boolean, italic: boolean, underline: boolean}} AnsiState */

/** @returns {AnsiState} the state of a fresh terminal: no colours, no styles. */
export function initialAnsiState() {
  return { fg: null, bg: null, bold: false, dim: false, italic: false, underline: false };
}

/** @type {Record<string, string>} */
const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Escapes the characters that could open markup or leave an attribute value.
 * @param {unknown} text
 */
export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/**
 * Renders `text` to HTML: one line of HTML per line of text, joined with "\n", ready for an element
 * with `white-space: pre-wrap`.
 * @param {string} text
 */
export function ansiToHtml(text) {
  return ansiLines(text).lines.join('\n');
}

/**
 * Renders `text` line by line, starting from `state` (the styles still open where the previous chunk
 * ended) and returning the state where this text ends, so a log can be rendered in pieces. Each
 * returned line closes its own spans, so lines can be added to and removed from the page one by one.
 * A trailing "\n" does not produce an empty last line.
 * @param {string} text
 * @param {AnsiState} [state]
 * @returns {{lines: string[], state: AnsiState}}
 */
export function ansiLines(text, state = initialAnsiState()) {
  let current = { ...state };
  const raw = String(text).split('\n');
  if (raw.length > 1 && raw[raw.length - 1] === '') raw.pop();
  const lines = raw.map((line) => {
    const rendered = renderLine(line, current);
    current = rendered.state;
    return rendered.html;
  });
  return { lines, state: current };
}

/**
 * One line: escapes are interpreted, control characters dropped, and a carriage return starts the
 * line over (a progress bar redrawn in place shows only its last frame). Styles set before the last
 * "\r" still apply to the text after it, as they would on a terminal.
 * @param {string} line
 * @param {AnsiState} startState
 * @returns {{html: string, state: AnsiState}}
 */
function renderLine(line, startState) {
  const body = line.endsWith('\r') ? line.slice(0, -1) : line;
  let state = { ...startState };
  /** @type {{text: string, state: AnsiState}[]} */
  let segments = [];
  let text = '';
  const flush = () => {
    if (text) segments.push({ text, state: { ...state } });
    text = '';
  };

  let i = 0;
  while (i < body.length) {
    const c = body[i];
    if (c === ESC) {
      flush();
      const next = body[i + 1];
      if (next === '[') {
        const end = csiEnd(body, i + 2);
        if (end < 0) break; // cut off mid-sequence: drop the rest
        if (body[end] === 'm') state = applySgr(state, body.slice(i + 2, end));
        i = end + 1;
      } else if (next === ']' || next === 'P' || next === '^' || next === '_' || next === 'X') {
        i = stringEnd(body, i + 2);
      } else if (next === undefined) {
        break;
      } else {
        // Two- or three-byte escapes (charset selection "ESC ( B", keypad modes, save cursor ...).
        let j = i + 1;
        while (j < body.length && body.charCodeAt(j) >= 0x20 && body.charCodeAt(j) <= 0x2f) j++;
        i = j + 1;
      }
      continue;
    }
    if (c === '\r') {
      text = '';
      segments = [];
      i++;
      continue;
    }
    const code = body.charCodeAt(i);
    if (c === '\t' || (code >= 0x20 && code !== 0x7f && !(code >= 0x80 && code <= 0x9f))) text += c;
    i++;
  }
  flush();
  return { html: segments.map((s) => wrap(escapeHtml(s.text), s.state)).join(''), state };
}

/**
 * Index of a CSI sequence's final byte, or -1 when the text ends first.
 * @param {string} body
 * @param {number} from
 */
function csiEnd(body, from) {
  for (let j = from; j < body.length; j++) {
    const code = body.charCodeAt(j);
    if (code >= 0x40 && code <= 0x7e) return j;
    if (code >= 0x20 && code <= 0x3f) continue; // parameter and intermediate bytes
    return j - 1; // malformed: end the sequence before the stray character, which is kept
  }
  return -1;
}

/**
 * Index just past an OSC/DCS-style string, ended by BEL or ESC \ (or the end of the text).
 * @param {string} body
 * @param {number} from
 */
function stringEnd(body, from) {
  for (let j = from; j < body.length; j++) {
    if (body[j] === '\x07') return j + 1;
    if (body[j] === ESC && body[j + 1] === '\\') return j + 2;
  }
  return body.length;
}

/**
 * @param {AnsiState} previous
 * @param {string} paramText the parameters of an SGR sequence ("1;31")
 * @returns {AnsiState}
 */
function applySgr(previous, paramText) {
  const state = { ...previous };
  const params = paramText === '' ? [0] : paramText.split(/[;:]/).map((p) => (p === '' ? 0 : Number(p)));
  for (let k = 0; k < params.length; k++) {
    const p = params[k];
    if (p === undefined || !Number.isInteger(p)) continue;
    if (p === 0) Object.assign(state, initialAnsiState());
    else if (p === 1) state.bold = true;
    else if (p === 2) state.dim = true;
    else if (p === 3) state.italic = true;
    else if (p === 4) state.underline = true;
    else if (p === 22) state.bold = state.dim = false;
    else if (p === 23) state.italic = false;
    else if (p === 24) state.underline = false;
    else if (p >= 30 && p <= 37) state.fg = String(p - 30);
    else if (p >= 90 && p <= 97) state.fg = String(p - 90 + 8);
    else if (p === 39) state.fg = null;
    else if (p >= 40 && p <= 47) state.bg = String(p - 40);
    else if (p >= 100 && p <= 107) state.bg = String(p - 100 + 8);
    else if (p === 49) state.bg = null;
    else if (p === 38 || p === 48) {
      const key = p === 38 ? 'fg' : 'bg';
      if (params[k + 1] === 5) {
        const n = params[k + 2];
        if (n !== undefined && Number.isInteger(n) && n >= 0 && n <= 255) state[key] = n < 16 ? String(n) : rgbOf256(n);
        k += 2;
      } else if (params[k + 1] === 2) {
        const [r, g, b] = [params[k + 2], params[k + 3], params[k + 4]].map(clampByte);
        state[key] = `rgb(${r},${g},${b})`;
        k += 4;
      }
    }
    // Anything else (blink, inverse, fonts ...) is ignored.
  }
  return state;
}

/** @param {number | undefined} n */
const clampByte = (n) => (n !== undefined && Number.isFinite(n) ? Math.min(255, Math.max(0, Math.round(n))) : 0);

/**
 * xterm's 256-colour palette above the 16 named colours: a 6×6×6 cube, then 24 greys.
 * @param {number} n
 */
function rgbOf256(n) {
  if (n >= 232) {
    const v = 8 + (n - 232) * 10;
    return `rgb(${v},${v},${v})`;
  }
  const i = n - 16;
  const level = (/** @type {number} */ x) => (x === 0 ? 0 : 55 + x * 40);
  return `rgb(${level(Math.floor(i / 36))},${level(Math.floor(i / 6) % 6)},${level(i % 6)})`;
}

/**
 * A colour is either a palette index ("0"–"15", a class) or an rgb() built above (an inline style).
 * @param {string} html
 * @param {AnsiState} state
 */
function wrap(html, state) {
  const classes = [];
  const styles = [];
  if (state.fg !== null) {
    if (state.fg.startsWith('rgb')) styles.push(`color:${state.fg}`);
    else classes.push(`ansi-fg-${state.fg}`);
  }
  if (state.bg !== null) {
    if (state.bg.startsWith('rgb')) styles.push(`background-color:${state.bg}`);
    else classes.push(`ansi-bg-${state.bg}`);
  }
  if (state.bold) classes.push('ansi-bold');
  if (state.dim) classes.push('ansi-dim');
  if (state.italic) classes.push('ansi-italic');
  if (state.underline) classes.push('ansi-underline');
  if (classes.length === 0 && styles.length === 0) return html;
  const cls = classes.length ? ` class="${classes.join(' ')}"` : '';
  const style = styles.length ? ` style="${styles.join(';')}"` : '';
  return `<span${cls}${style}>${html}</span>`;
}

/** @type {Record<string, string>} */
const UNESCAPES = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" };

/**
 * The text of a log line with every escape and control character removed (for search, copy, tests).
 * @param {string} text
 */
export function stripAnsi(text) {
  return ansiLines(text)
    .lines.map((html) => html.replace(/<[^>]*>/g, '').replace(/&(amp|lt|gt|quot|#39);/g, (entity, name) => UNESCAPES[name] ?? entity))
    .join('\n');
}
