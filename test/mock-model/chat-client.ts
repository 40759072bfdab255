/**
 * A minimal OpenAI chat-completions client for the mock server tests: builds requests shaped like
 * opencode's and reads SSE answers back into parsed chunks.
 */
import { parseScript, startMockModel, type MockModel, type ScriptInput } from '../../src/mock-model/index.js';

export const WORKDIR = '/tmp/some project/dir';

/** A system prompt carrying the `<env>` block opencode sends. */
export const SYSTEM_PROMPT = `You are OpenCode.\nHere is some useful information about the environment you are running in:\n<env>\n  Working directory: ${WORKDIR}\n  Workspace root folder: ${WORKDIR}\n  Is directory a git repo: yes\n</env>\n`;

const TOOLS = ['bash', 'read', 'write'].map((name) => ({
  type: 'function',
  function: { name, description: `the ${name} tool`, parameters: { type: 'object', properties: {} } },
}));

export function agentRequest(user: string, extra: Record<string, unknown> = {}) {
  return {
    model: 'scripted-gpt',
    stream: true,
    messages: [
      { role: 'system', content: SYSTEM_PROMPT },
      { role: 'user', content: user },
    ],
    tools: TOOLS,
    ...extra,
  };
}

/** What opencode sends to name a session: no tools, the prompt as the last user message. */
export function titleRequest(user: string) {
  return {
    model: 'scripted-gpt',
    stream: true,
    messages: [
      { role: 'system', content: 'You are a title generator.' },
      { role: 'user', content: 'Generate a title for this conversation:\n' },
      { role: 'user', content: user },
    ],
  };
}

export async function post(
  mock: MockModel,
  body: unknown,
  options: { apiKey?: string; raw?: string; signal?: AbortSignal } = {},
): Promise<Response> {
  return fetch(`${mock.url}/chat/completions`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.apiKey === undefined ? {} : { authorization: `Bearer ${options.apiKey}` }),
    },
    body: options.raw ?? JSON.stringify(body),
    signal: options.signal,
  });
}

export interface StreamedAnswer {
  /** Every `data:` payload, as sent. */
  data: string[];
  /** Payloads that parsed as JSON (chunks). */
  chunks: ChatChunk[];
  /** Whether the stream ended with `data: [DONE]`. */
  done: boolean;
  text: string;
  toolCalls: { id: string; name: string; arguments: string }[];
  finishReason: string | null;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | undefined;
}

interface ChatChunk {
  object: string;
  choices: {
    delta: {
      role?: string;
      content?: string;
      tool_calls?: { index: number; id?: string; function: { name?: string; arguments?: string } }[];
    };
    finish_reason: string | null;
  }[];
  usage?: StreamedAnswer['usage'];
}

/** Reads a whole SSE answer and assembles it the way an OpenAI client would. */
export async function readStream(response: Response): Promise<StreamedAnswer> {
  const raw = await response.text();
  const data = raw
    .split('\n\n')
    .filter((event) => event.startsWith('data: '))
    .map((event) => event.slice('data: '.length));
  const chunks: ChatChunk[] = [];
  for (const payload of data) {
    try {
      chunks.push(JSON.parse(payload) as ChatChunk);
    } catch {
      // `[DONE]` and deliberately malformed chunks
    }
  }
  const answer: StreamedAnswer = {
    data,
    chunks,
    done: data.at(-1) === '[DONE]',
    text: '',
    toolCalls: [],
    finishReason: null,
    usage: undefined,
  };
  for (const chunk of chunks) {
    const choice = chunk.choices[0];
    if (choice?.delta.content) answer.text += choice.delta.content;
    for (const call of choice?.delta.tool_calls ?? []) {
      const assembled = (answer.toolCalls[call.index] ??= { id: '', name: '', arguments: '' });
      if (call.id) assembled.id = call.id;
      if (call.function.name) assembled.name = call.function.name;
      assembled.arguments += call.function.arguments ?? '';
    }
    if (choice?.finish_reason) answer.finishReason = choice.finish_reason;
    if (chunk.usage) answer.usage = chunk.usage;
  }
  return answer;
}

/** Starts a mock on a free port for one test; the caller closes it (use `t.after`). */
export async function startWith(script: ScriptInput, options: { apiKey?: string; requestLogPath?: string } = {}) {
  return startMockModel({ script: parseScript(script), ...options });
}
