/**
 * Anthropic Messages (`POST /v1/messages`, Claude Code adds `?beta=true`), the protocol `claude`
 * speaks. Streams named server-sent events: `message_start`, then per content block
 * `content_block_start` / `content_block_delta` (`text_delta`, or `input_json_delta` with the tool
 * input in pieces) / `content_block_stop`, then `message_delta` (stop_reason `tool_use` or
 * `end_turn`, usage) and `message_stop`. Errors are `{"type":"error","error":{"type","message"}}`.
 *
 * Claude Code also sends requests that are not turns of its agent loop: quota probes with
 * `max_tokens: 1` and, without CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC, title and summary requests
 * without tools. They count as requests without tools, so they never take a script step.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { z } from 'zod';
import { bearerToken, retryAfterHeaders, sendJson, sentWholeFault } from './http-io.js';
import { streamReply, writeEvent, writeRawEvent } from './sse.js';
import { splitIntoPieces } from './stream-pieces.js';
import {
  estimateTokens,
  type InspectResult,
  type ModelReply,
  type ReplyContext,
  type WireProtocol,
} from './wire-protocol.js';

// Only the fields the mock reads are checked; everything else a client sends passes through.
const contentBlockSchema = z.object({ type: z.string(), text: z.string().optional() }).loose();
const contentSchema = z.union([z.string(), z.array(contentBlockSchema)]);
const messageSchema = z.object({ role: z.string(), content: contentSchema }).loose();
const toolSchema = z.object({ name: z.string() }).loose();
const requestSchema = z
  .object({
    model: z.string(),
    messages: z.array(messageSchema),
    system: contentSchema.optional(),
    tools: z.array(toolSchema).optional(),
    max_tokens: z.number().optional(),
    stream: z.boolean().optional(),
  })
  .loose();

type Content = z.infer<typeof contentSchema>;
type Answer = Extract<ModelReply, { kind: 'answer' }>;

/** Claude Code wraps the context it adds to user turns (date, CLAUDE.md, reminders) in this tag. */
const SYSTEM_REMINDER = /^\s*<system-reminder>[\s\S]*<\/system-reminder>\s*$/;

export const anthropicMessages: WireProtocol = {
  name: 'anthropic-messages',
  path: '/v1/messages',
  apiKeyOf,
  inspect,
  send(res, reply, context) {
    if (!context.facts.stream) return sendWhole(res, reply, context);
    streamReply(res, reply, {
      writeMalformed() {
        writeEvent(res, messageStart(context), 'message_start');
        writeEvent(res, { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }, 'content_block_start');
        // Cut off mid-object: the client's JSON parser must fail on this event.
        writeRawEvent(res, '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"unterminated', 'content_block_delta');
      },
      streamAnswer: (answer) => streamAnswer(res, answer, context),
    });
  },
  sendError(res, error) {
    sendJson(res, error.status, { type: 'error', error: { type: errorType(error.status), message: error.message } }, retryAfterHeaders(error));
  },
};

/** `x-api-key` as the Anthropic SDK sends it; a bearer token too (`ANTHROPIC_AUTH_TOKEN`). */
function apiKeyOf(headers: IncomingHttpHeaders): string | undefined {
  const key = headers['x-api-key'];
  return (Array.isArray(key) ? key[0] : key) ?? bearerToken(headers);
}

function inspect(body: unknown): InspectResult {
  const parsed = requestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'body';
    return { ok: false, message: `invalid messages request: ${where}: ${issue?.message ?? 'invalid'}` };
  }
  const request = parsed.data;
  const toolNames = (request.tools ?? []).map((tool) => tool.name);
  // A one-token answer is a probe (quota, connectivity), never a turn of the agent loop.
  const probe = request.max_tokens !== undefined && request.max_tokens <= 1;
  const systemMessages = request.messages.filter((message) => message.role === 'system').map((message) => textOf(message.content));
  return {
    ok: true,
    facts: {
      model: request.model,
      hasTools: toolNames.length > 0 && !probe,
      toolNames,
      lastUserText: lastUserText(request.messages),
      systemText: [request.system === undefined ? '' : textOf(request.system), ...systemMessages].join('\n'),
      stream: request.stream === true,
    },
  };
}

/**
 * The user's own words in the latest user turn: the last text block of the last user message that
 * has one, skipping Claude Code's `<system-reminder>` blocks and turns that only carry tool results.
 */
function lastUserText(messages: readonly { role: string; content: Content }[]): string | null {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i]!;
    if (message.role !== 'user') continue;
    if (typeof message.content === 'string') return message.content;
    const texts = message.content.filter((block) => block.type === 'text' && block.text !== undefined && !SYSTEM_REMINDER.test(block.text));
    const last = texts.at(-1);
    if (last?.text !== undefined) return last.text;
  }
  return null;
}

function textOf(content: Content): string {
  if (typeof content === 'string') return content;
  return content.map((block) => (block.type === 'text' ? (block.text ?? '') : '')).join('\n');
}

function streamAnswer(res: ServerResponse, answer: Answer, context: ReplyContext): void {
  writeEvent(res, messageStart(context), 'message_start');
  let index = 0;
  if (answer.text !== '') {
    writeEvent(res, { type: 'content_block_start', index, content_block: { type: 'text', text: '' } }, 'content_block_start');
    for (const piece of splitIntoPieces(answer.text)) {
      writeEvent(res, { type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } }, 'content_block_delta');
    }
    writeEvent(res, { type: 'content_block_stop', index }, 'content_block_stop');
    index += 1;
  }
  for (const call of answer.toolCalls) {
    const opening = { type: 'tool_use', id: toolUseId(call.id), name: call.name, input: {} };
    writeEvent(res, { type: 'content_block_start', index, content_block: opening }, 'content_block_start');
    for (const piece of splitIntoPieces(call.arguments, 2)) {
      writeEvent(res, { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: piece } }, 'content_block_delta');
    }
    writeEvent(res, { type: 'content_block_stop', index }, 'content_block_stop');
    index += 1;
  }
  const { output_tokens } = usage(answer, context);
  writeEvent(res, { type: 'message_delta', delta: { stop_reason: stopReason(answer), stop_sequence: null }, usage: { output_tokens } }, 'message_delta');
  writeEvent(res, { type: 'message_stop' }, 'message_stop');
  res.end();
}

/** The `stream: false` form: one `message` object. */
function sendWhole(res: ServerResponse, reply: Exclude<ModelReply, { kind: 'error' }>, context: ReplyContext): void {
  if (sentWholeFault(res, reply, '{"id":"truncated","type":"message","content":[')) return;
  const content = [
    ...(reply.text === '' ? [] : [{ type: 'text', text: reply.text }]),
    ...reply.toolCalls.map((call) => ({ type: 'tool_use', id: toolUseId(call.id), name: call.name, input: JSON.parse(call.arguments) as unknown })),
  ];
  sendJson(res, 200, {
    id: messageId(context),
    type: 'message',
    role: 'assistant',
    model: context.facts.model,
    content,
    stop_reason: stopReason(reply),
    stop_sequence: null,
    usage: usage(reply, context),
  });
}

function messageStart(context: ReplyContext) {
  return {
    type: 'message_start',
    message: {
      id: messageId(context),
      type: 'message',
      role: 'assistant',
      model: context.facts.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: estimateTokens(context.requestChars), output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    },
  };
}

/**
 * Tool call ids must be unique across a whole Claude session, which outlives one mock server (a
 * resumed session may meet a new server whose request numbers start again at 1): Claude Code pairs
 * results with calls by id, and a repeated id garbles the conversation it sends back.
 */
function toolUseId(callId: string): string {
  return `toolu_${callId}_${randomBytes(4).toString('hex')}`;
}

function messageId(context: ReplyContext): string {
  return `msg_mock_${context.seq}`;
}

function stopReason(answer: Answer): 'tool_use' | 'end_turn' {
  return answer.toolCalls.length > 0 ? 'tool_use' : 'end_turn';
}

function usage(answer: Answer, context: ReplyContext) {
  const answerChars = answer.text.length + answer.toolCalls.reduce((sum, call) => sum + call.name.length + call.arguments.length, 0);
  return {
    input_tokens: estimateTokens(context.requestChars),
    output_tokens: estimateTokens(answerChars),
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
  };
}

/** Anthropic's error `type` for an HTTP status, so clients classify (and retry) it as they would a real one. */
function errorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 413) return 'request_too_large';
  if (status === 429) return 'rate_limit_error';
  if (status === 529) return 'overloaded_error';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
}
