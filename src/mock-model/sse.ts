/** Server-sent events, the streaming framing every model protocol here uses. */
import type { ServerResponse } from 'node:http';
import type { ModelReply } from './wire-protocol.js';

export function openEventStream(res: ServerResponse): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  // Without this a hanging answer would never even show its headers to the client.
  res.flushHeaders();
}

/** One `data:` event; `event` names it for protocols that use named events (Anthropic). */
export function writeEvent(res: ServerResponse, data: unknown, event?: string): void {
  writeRawEvent(res, JSON.stringify(data), event);
}

/** An event whose data is sent as is: `[DONE]` markers, or deliberately broken JSON. */
export function writeRawEvent(res: ServerResponse, data: string, event?: string): void {
  if (res.destroyed || res.writableEnded) return;
  res.write(`${event === undefined ? '' : `event: ${event}\n`}data: ${data}\n\n`);
}

/**
 * A streamed reply, as every protocol gives it: headers at once; then nothing more for a hang, the
 * protocol's broken bytes and the end for a malformed reply, or the protocol's streamed answer.
 */
export function streamReply(
  res: ServerResponse,
  reply: Exclude<ModelReply, { kind: 'error' }>,
  protocol: { writeMalformed(): void; streamAnswer(answer: Extract<ModelReply, { kind: 'answer' }>): void },
): void {
  openEventStream(res);
  if (reply.kind === 'hang') return;
  if (reply.kind === 'malformed') {
    protocol.writeMalformed();
    res.end();
    return;
  }
  protocol.streamAnswer(reply);
}
