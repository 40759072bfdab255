import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { completeUtf8Length } from './supervise/log-reader.js';

export { stripAnsi } from './text.js';

const CHUNK = 64 * 1024;

/** The last `count` lines of a file, reading backwards from its end (never the whole file). */
export function lastLines(path: string, count: number): { lines: string[]; size: number } {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return { lines: [], size: 0 };
  }
  try {
    const size = fstatSync(fd).size;
    if (count <= 0 || size === 0) return { lines: [], size };
    const chunks: Buffer[] = [];
    let position = size;
    let newlines = 0;
    // One more newline than lines wanted, ignoring a final newline at the very end.
    let endsWithNewline = false;
    while (position > 0 && newlines <= count) {
      const length = Math.min(CHUNK, position);
      position -= length;
      const buffer = Buffer.allocUnsafe(length);
      readSync(fd, buffer, 0, length, position);
      if (chunks.length === 0 && buffer[length - 1] === 10) endsWithNewline = true;
      for (let i = 0; i < length; i++) if (buffer[i] === 10) newlines++;
      chunks.unshift(buffer);
    }
    let text = Buffer.concat(chunks).toString('utf8');
    if (endsWithNewline) text = text.slice(0, -1);
    const lines = text.split('\n');
    return { lines: lines.slice(-count).map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l)), size };
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
