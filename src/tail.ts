import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { completeUtf8Length } from './supervise/log-reader.js';
import { clipCounted } from './text.js';

export { stripAnsi } from './text.js';

const CHUNK = 64 * 1024;

/** A tail never reads more than this from the end, whatever the line lengths. */
const TAIL_MAX_BYTES = 4 << 20;
/** Longer lines are clipped: one 60 MB line must not become a 60 MB answer. */
export const TAIL_LINE_CHARS = 16_384;

export interface Tail {
  lines: string[];
  /** The file's size: follow from here. */
  size: number;
  /** The last line has no newline yet (the agent is still writing it). */
  partial: boolean;
  /** There is no such file (yet). */
  missing: boolean;
}

function clipLine(line: string): string {
  const bare = line.endsWith('\r') ? line.slice(0, -1) : line;
  return clipCounted(bare, TAIL_LINE_CHARS);
}

/**
 * The last `count` lines of a file, reading backwards from its end: never the whole file, and never
 * more than 4 MB of it, so a log of one enormous line costs no more than a normal one.
 */
export function lastLines(path: string, count: number): Tail {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return { lines: [], size: 0, partial: false, missing: true };
  }
  try {
    const size = fstatSync(fd).size;
    if (count <= 0 || size === 0) return { lines: [], size, partial: false, missing: false };
    const chunks: Buffer[] = [];
    let position = size;
    let newlines = 0;
    // One more newline than lines wanted, ignoring a final newline at the very end.
    let endsWithNewline = false;
    while (position > 0 && newlines <= count && size - position < TAIL_MAX_BYTES) {
      const length = Math.min(CHUNK, position);
      position -= length;
      const buffer = Buffer.allocUnsafe(length);
      readSync(fd, buffer, 0, length, position);
      if (chunks.length === 0 && buffer[length - 1] === 10) endsWithNewline = true;
      for (let i = 0; i < length; i++) if (buffer[i] === 10) newlines++;
      chunks.unshift(buffer);
    }
    let bytes = Buffer.concat(chunks);
    const cut = position > 0 && newlines <= count;
    // Cut mid-line by the byte cap: start at a whole UTF-8 character and say the line goes on before.
    let skip = 0;
    while (cut && skip < bytes.length && (bytes[skip]! & 0xc0) === 0x80) skip++;
    bytes = bytes.subarray(skip);
    let text = bytes.toString('utf8');
    if (endsWithNewline) text = text.slice(0, -1);
    const all = text.split('\n');
    const lines = all.slice(-count);
    if (cut && all.length <= count) lines[0] = `…${lines[0]!.slice(-TAIL_LINE_CHARS)}`;
    return { lines: lines.map(clipLine), size, partial: !endsWithNewline, missing: false };
  } finally {
    closeSync(fd);
  }
}

/** Bytes appended to a file since `offset`, bounded by `limit`. */
export function readFrom(path: string, offset: number, limit = 1 << 20): { text: string; next: number } {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return { text: '', next: offset };
  }
  try {
    const size = fstatSync(fd).size;
    if (size <= offset) return { text: '', next: offset };
    const length = Math.min(limit, size - offset);
    const buffer = Buffer.allocUnsafe(length);
    const read = readSync(fd, buffer, 0, length, offset);
    const end = completeUtf8Length(buffer, read);
    return { text: buffer.subarray(0, end).toString('utf8'), next: offset + end };
  } finally {
    closeSync(fd);
  }
}
