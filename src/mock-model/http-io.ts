/** Small HTTP helpers for the mock server: reading bodies, writing JSON. */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { ModelReply } from './wire-protocol.js';

/** Far above any real agent request (opencode's are ~100 KB) but bounded, so a bad client can't exhaust memory. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;

export class BodyTooLargeError extends Error {
  override name = 'BodyTooLargeError';
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLargeError(`request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export type ParsedBody = { ok: true; value: unknown } | { ok: false; message: string };

export function parseJsonBody(text: string): ParsedBody {
  if (text.trim() === '') return { ok: false, message: 'request body is empty' };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, message: `request body is not valid JSON: ${(error as Error).message}` };
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body);
}

/** The token of an `Authorization: Bearer <token>` header. */
export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '');
  return match?.[1];
}

/**
 * The `stream: false` forms of the faults every protocol shares: a hang sends its headers and nothing
 * more; a malformed answer ends in the middle of `truncatedJson`. True when the reply was one of them.
 */
export function sentWholeFault(
  res: ServerResponse,
  reply: Exclude<ModelReply, { kind: 'error' }>,
  truncatedJson: string,
): reply is Extract<ModelReply, { kind: 'hang' | 'malformed' }> {
  if (reply.kind !== 'hang' && reply.kind !== 'malformed') return false;
  res.writeHead(200, { 'content-type': 'application/json' });
  if (reply.kind === 'hang') res.flushHeaders();
  else res.end(truncatedJson);
  return true;
}

/** A scripted `retryAfterSeconds` as the `retry-after` header clients back off by. */
export function retryAfterHeaders(error: { retryAfterSeconds?: number }): Record<string, string> {
  return error.retryAfterSeconds === undefined ? {} : { 'retry-after': String(error.retryAfterSeconds) };
}
