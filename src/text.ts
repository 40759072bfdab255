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
