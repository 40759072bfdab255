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
 * it is plain text (stderr mixed into the log) of at least `minPlainLength` characters. Never
 * throws: a truncated or corrupt line (a killed process, a line cut by the log reader) is skipped,
 * and nothing a strange line does may stop a run's supervision.
 */
export function dispatchJsonLine(
  line: string,
  onEvent: (event: Record<string, unknown>) => void,
  onPlain: (line: string) => void,
  minPlainLength = 0,
): void {
  try {
    let start = 0;
    while (start < line.length && (line.charCodeAt(start) === 32 || line.charCodeAt(start) === 9)) start++;
    if (line.charCodeAt(start) !== 123 /* { */) {
      if (line.length - start >= minPlainLength && line.length <= PLAIN_LINE_LIMIT) onPlain(line);
      return;
    }
    let event: unknown;
    try {
      event = JSON.parse(start === 0 ? line : line.slice(start));
    } catch {
      return;
    }
    if (isRecord(event)) onEvent(event);
  } catch {
    // See above: keep going.
  }
}
