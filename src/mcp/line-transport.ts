import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { JSONRPCMessageSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { checkRequest, rpcError, RPC } from './request-check.js';

/**
 * The largest request line the server reads. A prompt is sent inline in one line, so this bounds the
 * largest prompt too (the run tool's own bound is below it); anything longer is answered with an error
 * and skipped up to its newline, never buffered whole.
 */
export const MAX_LINE_BYTES = 4 * 1024 * 1024;

/** The id of a request whose line was too long to parse, from its first bytes, when it is written there. */
function leadingId(head: string): string | number | null {
  const match = /"id"\s*:\s*(-?\d{1,15}(?![\d.eE])|"(?:[^"\\]|\\.){0,200}")/.exec(head);
  if (!match) return null;
  try {
    return JSON.parse(match[1]!) as string | number;
  } catch {
    return null;
  }
}

/**
 * A newline-delimited JSON-RPC transport over stdio that answers every bad line instead of dropping it
 * or dying on it, as the SDK's StdioServerTransport does: an over-long line gets -32600 (and the SDK's
 * 10 MB buffer limit used to close the server), unparsable JSON -32700, a message that is not
 * JSON-RPC -32600, and a known method with malformed params -32602 naming the field. Only well-formed
 * messages reach the protocol.
 */
export class LineTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Bytes of the current line dropped so far because it is over the bound; -1 when not dropping. */
  private dropping = -1;
  private droppedHead = '';
  private closed = false;

  constructor(
    private readonly stdin: NodeJS.ReadableStream,
    private readonly stdout: NodeJS.WritableStream,
    private readonly maxLineBytes = MAX_LINE_BYTES,
  ) {}

  private readonly onData = (chunk: Buffer | string) => {
    let data = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    while (data.length > 0) {
      const newline = data.indexOf(0x0a);
      const part = newline === -1 ? data : data.subarray(0, newline);
      if (this.dropping >= 0) {
        this.dropping += part.length;
      } else if (this.buffered + part.length > this.maxLineBytes) {
        // Keep only a head to find the request id in; the rest is counted, not stored.
        this.droppedHead = Buffer.concat([...this.chunks, part]).subarray(0, 4096).toString('utf8');
        this.dropping = this.buffered + part.length;
        this.chunks = [];
        this.buffered = 0;
      } else {
        this.chunks.push(part);
        this.buffered += part.length;
      }
      if (newline === -1) break;
      this.endLine();
      data = data.subarray(newline + 1);
    }
  };

  private endLine(): void {
    if (this.dropping >= 0) {
      const size = this.dropping;
      this.dropping = -1;
      const id = leadingId(this.droppedHead);
      this.droppedHead = '';
      this.reply(rpcError(id, RPC.invalidRequest, `request line of ${size} bytes is over the ${this.maxLineBytes}-byte bound; send a shorter request (a long prompt can go in a file: promptFile)`));
      return;
    }
    const line = Buffer.concat(this.chunks).toString('utf8').replace(/\r$/, '');
    this.chunks = [];
    this.buffered = 0;
    if (line.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (error) {
      this.reply(rpcError(null, RPC.parseError, `parse error: ${(error as Error).message}`));
      return;
    }
    const refusal = checkRequest(json);
    if (refusal) {
      if (refusal !== 'silent') this.reply(refusal);
      return;
    }
    const parsed = JSONRPCMessageSchema.safeParse(json);
    if (!parsed.success) {
      this.reply(rpcError(null, RPC.invalidRequest, 'invalid request: not a JSON-RPC 2.0 message'));
      return;
    }
    this.onmessage?.(parsed.data);
  }

  private reply(message: object): void {
    void this.send(message as JSONRPCMessage);
  }

  private readonly onError = (error: Error) => this.onerror?.(error);
  private readonly onEnd = () => void this.close();

  async start(): Promise<void> {
    this.stdin.on('data', this.onData);
    this.stdin.on('error', this.onError);
    this.stdin.on('end', this.onEnd);
    this.stdin.on('close', this.onEnd);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stdin.off('data', this.onData);
    this.stdin.off('error', this.onError);
    this.stdin.off('end', this.onEnd);
    this.stdin.off('close', this.onEnd);
    this.stdin.pause();
    this.chunks = [];
    this.onclose?.();
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve) => {
      if (this.closed && !this.stdout.writable) return resolve();
      if (this.stdout.write(`${JSON.stringify(message)}\n`)) resolve();
      else this.stdout.once('drain', resolve);
    });
  }
}
