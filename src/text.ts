const ESC = '\x1b';
// CSI sequences (colours, cursor) and OSC sequences (hyperlinks, titles).
const ANSI_PATTERN = /\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])/g;

/** Removes terminal escape sequences; lines without an ESC byte pass through untouched. */
export function stripAnsi(text: string): string {
  return text.indexOf(ESC) === -1 ? text : text.replace(ANSI_PATTERN, '');
}

/** Clips without leaving half a surrogate pair at the cut. */
export function clip(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const code = text.charCodeAt(limit - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? limit - 1 : limit);
}

/** Like clip, marking the cut with an ellipsis, for text shown to people. */
export function ellipsize(text: string, limit: number): string {
  return text.length > limit ? `${clip(text, limit - 1)}…` : text;
}

/** Like clip, saying how much was left out: for answers a reader may want to ask again for in full. */
export function clipCounted(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const kept = clip(text, limit);
  return `${kept}… [${text.length - kept.length} more chars]`;
}

/** Text flattened onto one line (runs of whitespace become one space), ellipsized to `limit`. */
export function flatLine(text: string, limit: number): string {
  return ellipsize(text.replace(/\s+/g, ' ').trim(), limit);
}

/**
 * Every escape and control sequence a terminal acts on, 7-bit and 8-bit: CSI (ESC [ and U+009B), OSC,
 * DCS, SOS, PM and APC strings (ended by BEL or ST, or running to the end of the text when unended),
 * charset and other nF sequences (ESC ( 0), single-character escapes (ESC c resets the terminal),
 * the remaining C1 controls, DEL, and every C0 control but newline and tab.
 */
const TERMINAL_CONTROL = new RegExp(
  [
    '(?:\\x1b\\[|\\u009b)[0-?]*[ -/]*[@-~]?',
    '(?:\\x1b[\\]PX^_]|[\\u0090\\u0098\\u009d\\u009e\\u009f])[^\\x07\\x1b\\u009c]*(?:\\x07|\\x1b\\\\|\\u009c)?',
    '\\x1b[ -/]+[0-~]?',
    '\\x1b[0-~]?',
    '[\\x00-\\x08\\x0b-\\x1f\\x7f-\\u009f]',
  ].join('|'),
  'g',
);
const HAS_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\u009f]/;

/**
 * Text an agent printed or a user named, made safe to show in someone's terminal: every escape
 * sequence and control character removed, newlines and tabs kept. Colours go too (tail --raw keeps them).
 */
export function stripTerminalControls(text: string): string {
  return HAS_CONTROL.test(text) ? text.replace(TERMINAL_CONTROL, '') : text;
}

/** The SGR codes Baton's own style writes (bold, dim, red, green, yellow, cyan and their resets); nothing else. */
const OWN_STYLE = /^\x1b\[(?:1|2|22|31|32|33|36|39)m$/;

/**
 * The last net before text reaches a terminal: like stripTerminalControls, but keeps the colour codes
 * Baton's style adds. Those can only colour text, never move the cursor, retitle or reset the terminal.
 */
export function terminalSafe(text: string): string {
  return HAS_CONTROL.test(text) ? text.replace(TERMINAL_CONTROL, (sequence) => (OWN_STYLE.test(sequence) ? sequence : '')) : text;
}

const VISIBLE: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\x1b': '\\e' };

/**
 * A value that must stay on one line (a run's name, a dir, an id someone typed), with every control
 * character shown as a visible escape (\n, \e, \x9b) so the reader sees what is there and the layout holds.
 */
export function escapeControls(text: string): string {
  return /[\x00-\x1f\x7f-\u009f]/.test(text)
    ? text.replace(/[\x00-\x1f\x7f-\u009f]/g, (c) => VISIBLE[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
    : text;
}

/** An escape sequence that has begun but not ended at the end of a chunk. */
const UNENDED = /(?:\x1b(?:\[[0-?]*[ -/]*|[\]PX^_][^\x07\x1b\u009c]*|[ -/]*)?|\u009b[0-?]*[ -/]*|[\u0090\u0098\u009d\u009e\u009f][^\x07\x1b\u009c]*)$/;
/** Longer than any real sequence; past it the held text is let go (stripped), never kept for ever. */
const HOLD_LIMIT = 4_096;

/**
 * stripTerminalControls for a stream read in chunks (`tail -f`): a sequence cut in two by a chunk
 * boundary is held until its end arrives, so its second half never shows as text.
 */
export function createControlStripper(): (chunk: string) => string {
  let held = '';
  return (chunk) => {
    const text = held + chunk;
    const unended = UNENDED.exec(text);
    const cut = unended && text.length - unended.index <= HOLD_LIMIT ? unended.index : text.length;
    held = text.slice(cut);
    return stripTerminalControls(text.slice(0, cut));
  };
}
