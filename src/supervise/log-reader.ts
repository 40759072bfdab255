import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

const CHUNK = 1 << 20;
/** Lines longer than this are cut for parsing (the log keeps every byte). */
export const MAX_PARSED_LINE = CHUNK;

/**
 * Reads a growing log from where it stopped last time and hands complete lines to `onLine`.
 * Lines are found with a byte search and decoded one by one, so each byte is looked at about once
 * and the cost of following a log grows with its new output, never with its size.
 */
export class LogReader {
  private fd: number | null = null;
  private readonly buffer = Buffer.allocUnsafe(CHUNK);
  /** Bytes consumed: the end of the last complete line handed over. */
  offset: number;
  /** The furthest byte seen so far (a partial last line lies between offset and here). */
  seen: number;
  lines = 0;
  /** Inside a line longer than the buffer, whose head was already handed over. */
  private skipping = false;

  constructor(
    private readonly path: string,
    startOffset = 0,
  ) {
    this.offset = startOffset;
    this.seen = startOffset;
  }

  private open(): boolean {
    if (this.fd !== null) return true;
    try {
      this.fd = openSync(this.path, 'r');
      return true;
    } catch {
      return false;
    }
  }

  /** Reads everything new; returns how many bytes the log grew by since the last call. */
  readNew(onLine: (line: string) => void): number {
    if (!this.open()) return 0;
    const before = this.seen;
    for (;;) {
      const read = readSync(this.fd!, this.buffer, 0, CHUNK, this.offset);
      if (read <= 0) break;
      this.seen = Math.max(this.seen, this.offset + read);
      const view = this.buffer.subarray(0, read);
      let start = 0;
      let newline = view.indexOf(10);
      while (newline !== -1) {
        if (this.skipping) this.skipping = false;
        else onLine(view.toString('utf8', start, newline > start && view[newline - 1] === 13 ? newline - 1 : newline));
        this.lines++;
        start = newline + 1;
        newline = view.indexOf(10, start);
      }
      if (start === 0 && read === CHUNK) {
        // One line longer than the buffer: hand over its head once and skip the rest of it.
        if (!this.skipping) onLine(view.toString('utf8', 0, completeUtf8Length(view, read)));
        this.skipping = true;
        start = read;
      }
      this.offset += start;
      if (read < CHUNK) break;
    }
    return this.seen - before;
  }

  /** The output ended: hand over a last line that had no newline. */
  flush(onLine: (line: string) => void): void {
    if (!this.open()) return;
    const size = fstatSync(this.fd!).size;
    if (size <= this.offset) return;
    const length = Math.min(CHUNK, size - this.offset);
    const read = readSync(this.fd!, this.buffer, 0, length, this.offset);
    if (read > 0 && !this.skipping) onLine(this.buffer.toString('utf8', 0, read));
    this.lines++;
    this.skipping = false;
    this.offset = size;
    this.seen = Math.max(this.seen, size);
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/** Length of the prefix of `buffer[0, length)` that does not end inside a UTF-8 character. */
export function completeUtf8Length(buffer: Uint8Array, length: number): number {
  let start = length - 1;
  while (start > 0 && length - start < 4 && (buffer[start]! & 0xc0) === 0x80) start--;
  if (start < 0) return length;
  const lead = buffer[start]!;
  const size = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return start + size > length ? start : length;
}
