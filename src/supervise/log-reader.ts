import { openSync, readSync, closeSync, fstatSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

const CHUNK = 1 << 20;
/** Lines longer than this are cut for parsing (the log keeps every byte). */
export const MAX_PARSED_LINE = 1 << 20;

/**
 * Reads a growing log from where it stopped last time and hands complete lines to `onLine`.
 * Each byte is read once, so the cost of following a log grows with its new output, not its size.
 */
export class LogReader {
  private fd: number | null = null;
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';
  private readonly buffer = Buffer.allocUnsafe(CHUNK);
  offset: number;
  lines = 0;

  constructor(
    private readonly path: string,
    startOffset = 0,
  ) {
    this.offset = startOffset;
  }

  /** Reads everything new; returns the number of bytes read. */
  readNew(onLine: (line: string) => void): number {
    if (this.fd === null) {
      try {
        this.fd = openSync(this.path, 'r');
      } catch {
        return 0;
      }
    }
    let total = 0;
    for (;;) {
      const read = readSync(this.fd, this.buffer, 0, CHUNK, this.offset);
      if (read <= 0) break;
      this.offset += read;
      total += read;
      this.consume(this.buffer.subarray(0, read), onLine);
      if (read < CHUNK) break;
    }
    return total;
  }

  private consume(bytes: Buffer, onLine: (line: string) => void): void {
    const text = this.partial + this.decoder.write(bytes);
    let start = 0;
    let end = text.indexOf('\n');
    while (end !== -1) {
      this.lines++;
      const line = text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
      onLine(line.length > MAX_PARSED_LINE ? line.slice(0, MAX_PARSED_LINE) : line);
      start = end + 1;
      end = text.indexOf('\n', start);
    }
    this.partial = text.slice(start);
    // A runaway line without newlines must not grow memory without bound.
    if (this.partial.length > MAX_PARSED_LINE * 2) this.partial = this.partial.slice(0, MAX_PARSED_LINE);
  }

  /** The output ended: hand over a last line that had no newline. */
  flush(onLine: (line: string) => void): void {
    const rest = this.partial + this.decoder.end();
    this.partial = '';
    if (rest.length > 0) {
      this.lines++;
      onLine(rest.length > MAX_PARSED_LINE ? rest.slice(0, MAX_PARSED_LINE) : rest);
    }
  }

  size(): number {
    if (this.fd === null) return this.offset;
    return fstatSync(this.fd).size;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
