/**
 * OpenAI Responses (`POST /v1/responses`), the protocol codex speaks (`wire_api = "responses"`).
 * Streams named SSE events: `response.created`, then per output item `response.output_item.added`,
 * its deltas (`response.output_text.delta`, `response.function_call_arguments.delta`,
 * `response.custom_tool_call_input.delta`) and `response.output_item.done`, and last
 * `response.completed` with the whole response and its usage. Clients wait for `response.completed`:
 * a stream that ends without it is a failed request.
 *
 * A request carries the whole conversation as `input` items (messages, function calls and their
 * outputs) on every turn. The prompt is the last user message; codex sends its environment
 * (`<environment_context><cwd>…</cwd>…`) and AGENTS.md as parts of an earlier user message, which
 * count as system text.
 */
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import { chatCompletions } from './chat-completions.js';
import { bearerToken, sendJson, sentWholeFault } from './http-io.js';
import { streamReply, writeEvent, writeRawEvent } from './sse.js';
import { splitIntoPieces } from './stream-pieces.js';
import {
  estimateTokens,
  type InspectResult,
  type ModelReply,
  type ModelRequestFacts,
  type ReplyContext,
  type ToolCallReply,
  type WireProtocol,
} from './wire-protocol.js';

// Only the fields the mock reads are checked; everything else a client sends passes through.
const contentPartSchema = z.object({ type: z.string(), text: z.string().optional() }).loose();
const inputItemSchema = z
  .object({
    type: z.string().optional(),
    role: z.string().optional(),
    content: z.union([z.string(), z.array(contentPartSchema), z.null()]).optional(),
  })
  .loose();
/** Function and custom tools have a name; built-in ones (web_search, tool_search) only a type. */
const toolSchema = z.object({ type: z.string(), name: z.string().optional() }).loose();
const requestSchema = z
  .object({
    model: z.string(),
    input: z.union([z.string(), z.array(inputItemSchema)]),
    instructions: z.string().nullish(),
    tools: z.array(toolSchema).optional(),
    stream: z.boolean().optional(),
  })
  .loose();

type InputItem = z.infer<typeof inputItemSchema>;
type Answer = Extract<ModelReply, { kind: 'answer' }>;
type OutputItem = Record<string, unknown> & { id: string; type: string };

/**
 * Names of the request's freeform (`type: "custom"`) tools, such as codex's `apply_patch`: their
 * calls are `custom_tool_call` items with a raw `input` string rather than JSON arguments. Kept beside
 * the facts (the same object reaches `send`) because the facts are shared by every protocol.
 */
const customToolsOf = new WeakMap<ModelRequestFacts, ReadonlySet<string>>();

/** Parts of a user message that codex fills with context, not the prompt: its environment and AGENTS.md. */
const CONTEXT_PART = /^\s*(?:<environment_context>|# AGENTS\.md instructions for )/;

export const openaiResponses: WireProtocol = {
  name: 'openai-responses',
  path: '/v1/responses',
  apiKeyOf: bearerToken,
  inspect,
  send(res, reply, context) {
    if (!context.facts.stream) return sendWhole(res, reply, context);
    streamReply(res, reply, {
      writeMalformed() {
        writeEvent(res, { type: 'response.created', sequence_number: 0, response: responseObject(context, 'in_progress', []) }, 'response.created');
        // Cut off mid-object, then the stream ends without response.completed.
        writeRawEvent(res, `{"type":"response.output_text.delta","item_id":"msg_${context.seq}","delta":"unterminated`, 'response.output_text.delta');
      },
      streamAnswer: (answer) => streamAnswer(res, answer, context),
    });
  },
  // The same error body as chat completions (`{"error":{message,type,code,param}}`, retry-after on 429):
  // both are OpenAI's API and clients parse them alike.
  sendError: chatCompletions.sendError,
};

function inspect(body: unknown): InspectResult {
  const parsed = requestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'body';
    return { ok: false, message: `invalid responses request: ${where}: ${issue?.message ?? 'invalid'}` };
  }
  const request = parsed.data;
  const tools = request.tools ?? [];
  const toolNames = tools.map((tool) => tool.name ?? tool.type);
  const items: InputItem[] = typeof request.input === 'string' ? [{ type: 'message', role: 'user', content: request.input }] : request.input;
  const messages = items.filter((item) => (item.type ?? 'message') === 'message');
  const context: string[] = [];
  let lastUserText: string | null = null;
  for (const item of messages.filter((message) => message.role === 'user')) {
    const parts = messageParts(item);
    context.push(...parts.filter((text) => CONTEXT_PART.test(text)));
    const prompt = parts.filter((text) => !CONTEXT_PART.test(text));
    if (prompt.length > 0) lastUserText = prompt.join('');
  }
  const systemText = [
    request.instructions ?? '',
    ...messages.filter((item) => item.role === 'system' || item.role === 'developer').map((item) => messageParts(item).join('')),
    ...context,
  ]
    .filter((text) => text !== '')
    .join('\n');
  const facts: ModelRequestFacts = {
    model: request.model,
    hasTools: toolNames.length > 0,
    toolNames,
    lastUserText,
    systemText,
    stream: request.stream === true,
  };
  customToolsOf.set(facts, new Set(tools.filter((tool) => tool.type === 'custom' && tool.name !== undefined).map((tool) => tool.name!)));
  return { ok: true, facts };
}

/** The texts of a message's parts (a string content is one part); images and the like are left out. */
function messageParts(item: InputItem): string[] {
  const content = item.content;
  if (typeof content === 'string') return [content];
  if (content == null) return [];
  return content.filter((part) => part.type === 'input_text' || part.type === 'output_text' || part.type === 'text').map((part) => part.text ?? '');
}

/** The output items of an answer: its text as one message, then each tool call, in order. */
function outputItems(answer: Answer, context: ReplyContext): OutputItem[] {
  const items: OutputItem[] = [];
  if (answer.text !== '') {
    items.push({
      id: `msg_mock_${context.seq}`,
      type: 'message',
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text: answer.text, annotations: [] }],
    });
  }
  const custom = customToolsOf.get(context.facts) ?? new Set<string>();
  answer.toolCalls.forEach((call, index) => items.push(custom.has(call.name) ? customCall(call, context, index) : functionCall(call, context, index)));
  return items;
}

function functionCall(call: ToolCallReply, context: ReplyContext, index: number): OutputItem {
  return { id: `fc_mock_${context.seq}_${index}`, type: 'function_call', status: 'completed', call_id: call.id, name: call.name, arguments: call.arguments };
}

/**
 * A freeform tool takes a string, not an object: the script gives it as `args.input`
 * (`{"name": "apply_patch", "args": {"input": "*** Begin Patch\n…"}}`).
 */
function customCall(call: ToolCallReply, context: ReplyContext, index: number): OutputItem {
  let input = call.arguments;
  try {
    const args: unknown = JSON.parse(call.arguments);
    if (typeof args === 'object' && args !== null && typeof (args as { input?: unknown }).input === 'string') input = (args as { input: string }).input;
  } catch {
    // Not JSON: send it as it is.
  }
  return { id: `ctc_mock_${context.seq}_${index}`, type: 'custom_tool_call', status: 'completed', call_id: call.id, name: call.name, input };
}

function streamAnswer(res: ServerResponse, answer: Answer, context: ReplyContext): void {
  let sequence = 0;
  const emit = (type: string, fields: Record<string, unknown>) => writeEvent(res, { type, sequence_number: sequence++, ...fields }, type);
  const items = outputItems(answer, context);
  emit('response.created', { response: responseObject(context, 'in_progress', []) });
  items.forEach((item, output_index) => {
    const item_id = item.id;
    switch (item.type) {
      case 'message': {
        const text = answer.text;
        emit('response.output_item.added', { output_index, item: { ...item, status: 'in_progress', content: [] } });
        emit('response.content_part.added', { item_id, output_index, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } });
        for (const delta of splitIntoPieces(text)) emit('response.output_text.delta', { item_id, output_index, content_index: 0, delta });
        emit('response.output_text.done', { item_id, output_index, content_index: 0, text });
        emit('response.content_part.done', { item_id, output_index, content_index: 0, part: { type: 'output_text', text, annotations: [] } });
        break;
      }
      case 'function_call': {
        const args = String(item.arguments);
        emit('response.output_item.added', { output_index, item: { ...item, status: 'in_progress', arguments: '' } });
        for (const delta of splitIntoPieces(args, 2)) emit('response.function_call_arguments.delta', { item_id, output_index, delta });
        emit('response.function_call_arguments.done', { item_id, output_index, arguments: args });
        break;
      }
      case 'custom_tool_call': {
        const input = String(item.input);
        emit('response.output_item.added', { output_index, item: { ...item, status: 'in_progress', input: '' } });
        for (const delta of splitIntoPieces(input, 2)) emit('response.custom_tool_call_input.delta', { item_id, output_index, delta });
        emit('response.custom_tool_call_input.done', { item_id, output_index, input });
        break;
      }
    }
    emit('response.output_item.done', { output_index, item });
  });
  emit('response.completed', { response: { ...responseObject(context, 'completed', items), usage: usage(answer, context) } });
  res.end();
}

/** The `stream: false` form: the response object alone. */
function sendWhole(res: ServerResponse, reply: Exclude<ModelReply, { kind: 'error' }>, context: ReplyContext): void {
  if (sentWholeFault(res, reply, '{"id":"truncated","output":[')) return;
  const items = outputItems(reply, context);
  sendJson(res, 200, { ...responseObject(context, 'completed', items), usage: usage(reply, context) });
}

function responseObject(context: ReplyContext, status: 'in_progress' | 'completed', output: OutputItem[]) {
  return {
    id: `resp_mock_${context.seq}`,
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    status,
    model: context.facts.model,
    output,
    parallel_tool_calls: true,
    tool_choice: 'auto',
    tools: [],
  };
}

function usage(answer: Answer, context: ReplyContext) {
  const answerChars = answer.text.length + answer.toolCalls.reduce((sum, call) => sum + call.name.length + call.arguments.length, 0);
  const input_tokens = estimateTokens(context.requestChars);
  const output_tokens = estimateTokens(answerChars);
  return {
    input_tokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: input_tokens + output_tokens,
  };
}
