/**
 * What a wire protocol (OpenAI chat completions today; Anthropic Messages or OpenAI Responses
 * later) must provide so the server can answer it. The server owns the script cursor, the request
 * log, auth and timing; a protocol only reads its own request shape and writes its own bytes.
 */
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';

/** What the server needs to know about one model request, whatever protocol carried it. */
export interface ModelRequestFacts {
  /** Model id the client asked for; echoed back in answers. */
  model: string;
  /** Requests with tools come from the agent loop and consume script steps; others are titles. */
  hasTools: boolean;
  toolNames: string[];
  /** Text of the last user message, or null when there is none. */
  lastUserText: string | null;
  /** All system instructions joined, where the working directory is looked up. */
  systemText: string;
  /** Whether the client asked for a streamed answer. */
  stream: boolean;
}

export interface ToolCallReply {
  id: string;
  name: string;
  /** The arguments object, already serialised as JSON. */
  arguments: string;
}

/** A scripted error, or one the server raises itself (bad request, bad key). */
export interface ErrorReply {
  status: number;
  message: string;
  retryAfterSeconds?: number;
}

/** What to send back, decided by the script before any protocol gets involved. */
export type ModelReply =
  | { kind: 'answer'; text: string; toolCalls: ToolCallReply[] }
  | ({ kind: 'error' } & ErrorReply)
  /** Open the response and never finish it. */
  | { kind: 'hang' }
  /** Start a valid answer, then send bytes the client cannot parse. */
  | { kind: 'malformed' };

export interface ReplyContext {
  /** Sequence number of the request, unique per server; used in ids. */
  seq: number;
  facts: ModelRequestFacts;
  /** Size of the raw request body, the basis of the reported prompt token count. */
  requestChars: number;
}

export type InspectResult = { ok: true; facts: ModelRequestFacts } | { ok: false; message: string };

export interface WireProtocol {
  /** Short name recorded in the request log, e.g. `chat-completions`. */
  name: string;
  /** The POST path it answers, e.g. `/v1/chat/completions`. */
  path: string;
  /** The API key as this protocol's clients send it (a bearer token, an `x-api-key` header...). */
  apiKeyOf(headers: IncomingHttpHeaders): string | undefined;
  /** Validates the parsed JSON body and extracts the facts the script needs. */
  inspect(body: unknown): InspectResult;
  /** Writes a non-error reply (answer, hang or malformed). A hang leaves `res` open. */
  send(res: ServerResponse, reply: Exclude<ModelReply, { kind: 'error' }>, context: ReplyContext): void;
  /** Writes an error in the protocol's own error format. */
  sendError(res: ServerResponse, error: ErrorReply): void;
}

/**
 * Deterministic stand-in for a tokenizer, so usage numbers in tests are stable: one token per
 * four characters, at least one.
 */
export function estimateTokens(chars: number): number {
  return Math.max(1, Math.ceil(chars / 4));
}
