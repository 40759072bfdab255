import type { ParseReport } from './parse-guard.js';

const SPACE = 0x20;
const TAB = 0x09;
const OPEN_BRACE = 0x7b;

/** A JSON object, as opposed to an array, a primitive or null. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A JSON field read as a string, if it is one. */
export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A JSON field read as a finite number, if it is one. */
export function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

const PLAIN_LINE_LIMIT = 1 << 16;

/**
 * Hands one line of a JSONL stream to `onEvent` when it holds a JSON object, or to `onPlain` when
 * it is plain text (stderr mixed into the log) of at least `minPlainLength` characters. A line that
 * starts like an object but is not JSON (a killed process, a line cut by the log reader) is reported
 * as malformed and skipped. Exceptions from the handlers are the parser's bugs: they reach the guard
 * (parse-guard.ts), which counts them.
 */
export function dispatchJsonLine(
  line: string,
  onEvent: (event: Record<string, unknown>) => void,
  onPlain: (line: string) => void,
  report: ParseReport,
  minPlainLength = 0,
): void {
  let start = 0;
  while (start < line.length && (line.charCodeAt(start) === SPACE || line.charCodeAt(start) === TAB)) start++;
  if (line.charCodeAt(start) !== OPEN_BRACE) {
    if (line.length - start >= minPlainLength && line.length <= PLAIN_LINE_LIMIT) onPlain(line);
    return;
  }
  let event: unknown;
  try {
    event = JSON.parse(start === 0 ? line : line.slice(start));
  } catch (error) {
    report.malformed(`not JSON: ${(error as Error).message}`);
    return;
  }
  if (isRecord(event)) onEvent(event);
}
