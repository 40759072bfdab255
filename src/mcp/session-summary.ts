import { clipCounted } from '../text.js';

/**
 * An exported agent session can be megabytes; a model needs its shape and its ending. This reads the
 * three export formats (opencode's `{info, messages:[{info, parts}]}`, Claude Code's transcript lines,
 * codex's rollout lines) into messages of role, text and tool names.
 */

export interface SessionMessage {
  role: string;
  text: string;
  tools: string[];
}

export interface SessionSummary {
  messages: number;
  toolCalls: number;
  toolsByName: Record<string, number>;
  exportChars: number;
  last: SessionMessage[];
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const str = (value: unknown) => (typeof value === 'string' ? value : '');

function fromOpencode(message: Json): SessionMessage | null {
  const info = isObject(message.info) ? message.info : {};
  const parts = Array.isArray(message.parts) ? message.parts.filter(isObject) : [];
  const text = parts.filter((p) => p.type === 'text').map((p) => str(p.text)).join('\n');
  const tools = parts.filter((p) => p.type === 'tool').map((p) => str(p.tool) || 'tool');
  return { role: str(info.role) || 'unknown', text, tools };
}

/** Claude Code transcript lines: {type: user|assistant, message: {role, content}}. */
function fromClaude(line: Json): SessionMessage | null {
  if (!isObject(line.message) || (line.type !== 'user' && line.type !== 'assistant')) return null;
  const content = line.message.content;
  if (typeof content === 'string') return { role: str(line.type), text: content, tools: [] };
  const blocks = Array.isArray(content) ? content.filter(isObject) : [];
  // A user line holding only tool results is the tools' answer, not a message from the user.
  if (blocks.length > 0 && blocks.every((b) => b.type === 'tool_result')) return { role: 'tool', text: blocks.map((b) => (typeof b.content === 'string' ? b.content : '')).join('\n'), tools: [] };
  return {
    role: str(line.type),
    text: blocks.filter((b) => b.type === 'text').map((b) => str(b.text)).join('\n'),
    tools: blocks.filter((b) => b.type === 'tool_use').map((b) => str(b.name) || 'tool'),
  };
}

/** codex rollout lines: {type: response_item, payload: {type: message|function_call|…}}. */
function fromCodex(line: Json): SessionMessage | null {
  if (line.type !== 'response_item' || !isObject(line.payload)) return null;
  const item = line.payload;
  if (item.type === 'message') {
    const blocks = Array.isArray(item.content) ? item.content.filter(isObject) : [];
    return { role: str(item.role) || 'unknown', text: blocks.map((b) => str(b.text)).join('\n'), tools: [] };
  }
  if (item.type === 'function_call' || item.type === 'custom_tool_call' || item.type === 'local_shell_call') return { role: 'assistant', text: '', tools: [str(item.name) || str(item.type)] };
  return null;
}

export function normaliseSession(json: unknown): SessionMessage[] {
  if (isObject(json) && Array.isArray(json.messages)) return json.messages.filter(isObject).map(fromOpencode).filter((m): m is SessionMessage => m !== null);
  if (Array.isArray(json)) {
    return json
      .filter(isObject)
      .map((line) => fromClaude(line) ?? fromCodex(line))
      .filter((m): m is SessionMessage => m !== null);
  }
  return [];
}

export function summariseSession(json: unknown, options: { last: number; maxChars: number }): SessionSummary {
  const messages = normaliseSession(json);
  const toolsByName: Record<string, number> = {};
  let toolCalls = 0;
  for (const message of messages) {
    for (const tool of message.tools) {
      toolsByName[tool] = (toolsByName[tool] ?? 0) + 1;
      toolCalls++;
    }
  }
  const last = options.last === 0 ? [] : messages.slice(-options.last).map((m) => ({ ...m, text: clipCounted(m.text.trim(), options.maxChars) }));
  return { messages: messages.length, toolCalls, toolsByName, exportChars: JSON.stringify(json ?? null).length, last };
}
