/**
 * OpenAI chat completions (`POST /v1/chat/completions`), the protocol opencode's
 * `@ai-sdk/openai-compatible` provider speaks. Streams `chat.completion.chunk` events:
 * role delta, content deltas, tool call deltas (id and name first, then the arguments in pieces),
 * a final chunk with finish_reason and usage, then `data: [DONE]`.
 */
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import { bearerToken, retryAfterHeaders, sendJson, sentWholeFault } from './http-io.js';
import { streamReply, writeEvent, writeRawEvent } from './sse.js';
import { splitIntoPieces } from './stream-pieces.js';
import {
  estimateTokens,
  type InspectResult,
  type ModelReply,
  type ReplyContext,
  type ToolCallReply,
  type WireProtocol,
} from './wire-protocol.js';

// Only the fields the mock reads are checked; everything else a client sends passes through.
const contentPartSchema = z.object({ type: z.string(), text: z.string().optional() }).loose();
const messageSchema = z
  .object({
    role: z.string(),
    content: z.union([z.string(), z.array(contentPartSchema), z.null()]).optional(),
  })
  .loose();
const toolSchema = z.object({ function: z.object({ name: z.string() }).loose() }).loose();
const requestSchema = z
  .object({
    model: z.string(),
    messages: z.array(messageSchema),
    tools: z.array(toolSchema).optional(),
    stream: z.boolean().optional(),
  })
  .loose();

type ChatMessage = z.infer<typeof messageSchema>;
type Answer = Extract<ModelReply, { kind: 'answer' }>;

export const chatCompletions: WireProtocol = {
  name: 'chat-completions',
  path: '/v1/chat/completions',
  apiKeyOf: bearerToken,
  inspect,
  send(res, reply, context) {
    if (!context.facts.stream) return sendWhole(res, reply, context);
    streamReply(res, reply, {
      writeMalformed() {
        writeEvent(res, chunk(context, { role: 'assistant', content: '' }));
        // Cut off mid-object: the client's JSON parser must fail on this event.
        writeRawEvent(res, `{"id":"${chunkId(context)}","object":"chat.completion.chunk","choices":[{"delta":{"content":"unterminated`);
      },
      streamAnswer: (answer) => streamAnswer(res, answer, context),
    });
  },
  sendError(res, error) {
    sendJson(res, error.status, { error: { message: error.message, ...errorKind(error.status), param: null } }, retryAfterHeaders(error));
  },
};

function inspect(body: unknown): InspectResult {
  const parsed = requestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'body';
    return { ok: false, message: `invalid chat completion request: ${where}: ${issue?.message ?? 'invalid'}` };
  }
  const request = parsed.data;
  const toolNames = (request.tools ?? []).map((tool) => tool.function.name);
  const lastUser = request.messages.filter((message) => message.role === 'user').at(-1);
  return {
    ok: true,
    facts: {
      model: request.model,
      hasTools: toolNames.length > 0,
      toolNames,
      lastUserText: lastUser === undefined ? null : messageText(lastUser),
      systemText: request.messages
        .filter((message) => message.role === 'system' || message.role === 'developer')
        .map(messageText)
        .join('\n'),
      stream: request.stream === true,
    },
  };
}

function messageText(message: ChatMessage): string {
  const content = message.content;
  if (typeof content === 'string') return content;
  if (content == null) return '';
  return content.map((part) => (part.type === 'text' ? (part.text ?? '') : '')).join('');
}

function streamAnswer(res: ServerResponse, answer: Answer, context: ReplyContext): void {
  writeEvent(res, chunk(context, { role: 'assistant', content: '' }));
  for (const piece of splitIntoPieces(answer.text)) {
    writeEvent(res, chunk(context, { content: piece }));
  }
  answer.toolCalls.forEach((call, index) => {
    const opening = { index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } };
    writeEvent(res, chunk(context, { tool_calls: [opening] }));
    for (const piece of splitIntoPieces(call.arguments, 2)) {
      writeEvent(res, chunk(context, { tool_calls: [{ index, function: { arguments: piece } }] }));
    }
  });
  writeEvent(res, { ...chunk(context, {}, finishReason(answer)), usage: usage(answer, context) });
  writeRawEvent(res, '[DONE]');
  res.end();
}

/** The `stream: false` form: one `chat.completion` object. */
function sendWhole(res: ServerResponse, reply: Exclude<ModelReply, { kind: 'error' }>, context: ReplyContext): void {
  if (sentWholeFault(res, reply, '{"id":"truncated","choices":[')) return;
  const message = {
    role: 'assistant',
    content: reply.text === '' ? null : reply.text,
    ...(reply.toolCalls.length > 0 ? { tool_calls: reply.toolCalls.map(toWholeToolCall) } : {}),
  };
  sendJson(res, 200, {
    id: chunkId(context),
    object: 'chat.completion',
    created: nowSeconds(),
    model: context.facts.model,
    choices: [{ index: 0, message, finish_reason: finishReason(reply) }],
    usage: usage(reply, context),
  });
}

function toWholeToolCall(call: ToolCallReply) {
  return { id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } };
}

function chunk(context: ReplyContext, delta: object, finish: string | null = null) {
  return {
    id: chunkId(context),
    object: 'chat.completion.chunk',
    created: nowSeconds(),
    model: context.facts.model,
    choices: [{ index: 0, delta, finish_reason: finish }],
  };
}

function chunkId(context: ReplyContext): string {
  return `chatcmpl-mock-${context.seq}`;
}

function finishReason(answer: Answer): 'tool_calls' | 'stop' {
  return answer.toolCalls.length > 0 ? 'tool_calls' : 'stop';
}

function usage(answer: Answer, context: ReplyContext) {
  const answerChars = answer.text.length + answer.toolCalls.reduce((sum, call) => sum + call.name.length + call.arguments.length, 0);
  const prompt_tokens = estimateTokens(context.requestChars);
  const completion_tokens = estimateTokens(answerChars);
  return { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens };
}

/** OpenAI's `type` and `code` for an HTTP status, so clients classify the error as they would a real one. */
function errorKind(status: number): { type: string; code: string } {
  if (status === 401) return { type: 'invalid_request_error', code: 'invalid_api_key' };
  if (status === 404) return { type: 'invalid_request_error', code: 'not_found' };
  if (status === 429) return { type: 'rate_limit_error', code: 'rate_limit_exceeded' };
  if (status >= 500) return { type: 'server_error', code: 'server_error' };
  return { type: 'invalid_request_error', code: 'invalid_request' };
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
