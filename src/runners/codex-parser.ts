import type { OutputParser, RunEvent, TokenUsage, ToolKind, ToolStatus } from '../events.js';
import { TOOL_OUTPUT_LIMIT as OUTPUT_LIMIT } from '../events.js';
import { clip, stripAnsi } from '../text.js';
import { classifyErrorText } from './provider-errors.js';
import { dispatchJsonLine, isRecord, num, str } from './jsonl.js';
import { guardParser, type ParseReport } from './parse-guard.js';

/**
 * Parser for `codex exec --json` (0.169): one JSON object per line on stdout, each `{type, …}` with type
 * - `thread.started` (`thread_id`, the session that `codex exec resume` continues),
 * - `turn.started`, then `turn.completed` (`usage`: input_tokens including cached_input_tokens,
 *   cache_write_input_tokens, output_tokens, reasoning_output_tokens) or `turn.failed` (`error.message`),
 * - `item.started` / `item.updated` / `item.completed` with an `item` of type `agent_message` (`text`),
 *   `reasoning`, `command_execution` (`command` as codex ran it, e.g. `/bin/bash -lc 'npm test'`,
 *   `aggregated_output`, `exit_code`, `status` in_progress / completed / failed / declined),
 *   `file_change` (`changes: [{path, kind: add|update|delete}]`, `status`), `mcp_tool_call`,
 *   `web_search`, `todo_list`, or `error` (a non-fatal notice, e.g. "Model metadata for `x` not found"),
 * - `error` (`message`): fatal for the turn (then `turn.failed` repeats it), except
 *   "Reconnecting... waiting for network", which codex prints while it retries forever.
 * stderr shares the log: a `WARNING: …` line or two, and `Error: …` (plus a backtrace) when codex
 * fails outside a turn, e.g. resuming an unknown thread ("no rollout found for thread id …").
 * The completion signal is a final `turn.completed`: nothing (work, failure) after it.
 * Lines carry no time; the supervisor stamps events as it reads them.
 */

type Json = Record<string, unknown>;

/** codex's own phrasings of a failed model request (no HTTP status in most of them). */
const CODEX_API_ERROR = new RegExp(
  [
    'high demand', 'unexpected status', 'exceeded retry limit', 'stream disconnected', 'response\\.completed',
    'Connection failed', 'error sending request', 'waiting for network', 'usage limit', 'context window',
    'overloaded', 'invalid_request_error',
  ].join('|'),
  'i',
);

const RECONNECTING = /^Reconnecting\.\.\./;

/**
 * Item-level notices codex prints on runs that go on to succeed. They are not causes, so they never
 * become an error event (which would make them a failed run's reason and the brief's `error` line);
 * the log keeps them for `baton tail`.
 */
const HARMLESS_NOTICES = [/^Model metadata for `[^`]*` not found/];

/** A provider error from codex's top-level `error` / `turn.failed` line: its message and what it says about the API. */
export function classifyCodexError(raw: string): { message: string; api: boolean; status?: number } {
  let message = raw;
  let api = false;
  // A 4xx that codex passes on verbatim: the provider's JSON error body.
  if (raw.startsWith('{')) {
    try {
      const body: unknown = JSON.parse(raw);
      const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
      const inner = str(error?.message);
      if (inner !== undefined) {
        message = inner;
        api = true;
      }
    } catch {
      // Not JSON after all.
    }
  }
  // The status shows in some of them: "last status: 429 Too Many Requests", "unexpected status 404 Not Found".
  const { api: looksLikeApi, status } = classifyErrorText(message);
  api ||= looksLikeApi || CODEX_API_ERROR.test(message);
  return { message, api, ...(status !== undefined && { status }) };
}

const SHELLS = new Set(['bash', 'sh', 'zsh', 'dash']);

/**
 * The command the model asked for, out of codex's wrapper: `/bin/bash -lc 'npm test'` → `npm test`.
 * codex shell-quotes the script (single quotes, or double quotes with `\` escapes when it holds a
 * single quote). Anything that is not exactly `<shell> -c|-lc SCRIPT` comes back unchanged.
 */
export function unwrapShellCommand(command: string): string {
  const words = shellWords(command);
  return words === null ? command : (scriptOfArgv(words) ?? command);
}

/** The script of an argv `<shell> -c|-lc SCRIPT` (as codex's session store keeps it), else null. */
export function scriptOfArgv(argv: readonly string[]): string | null {
  if (argv.length !== 3) return null;
  const [shell, flag, script] = argv as [string, string, string];
  return SHELLS.has(shell.slice(shell.lastIndexOf('/') + 1)) && /^-l?c$/.test(flag) ? script : null;
}

/** POSIX shell words, for the quoting codex produces; null on anything unbalanced. */
function shellWords(text: string): string[] | null {
  const words: string[] = [];
  let word: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n') {
      if (word !== null) words.push(word);
      word = null;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end === -1) return null;
      word = (word ?? '') + text.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      word ??= '';
      for (i++; ; i++) {
        if (i >= text.length) return null;
        const d = text[i]!;
        if (d === '"') break;
        if (d === '\\' && i + 1 < text.length && '$`"\\\n'.includes(text[i + 1]!)) {
          i++;
          word += text[i]!;
        } else word += d;
      }
    } else if (c === '\\') {
      if (i + 1 >= text.length) return null;
      i++;
      word = (word ?? '') + text[i]!;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== null) words.push(word);
  return words;
}

function tokensOf(value: unknown): TokenUsage | undefined {
  if (!isRecord(value)) return undefined;
  const input = num(value.input_tokens);
  const output = num(value.output_tokens);
  if (input === undefined && output === undefined) return undefined;
  const cacheRead = num(value.cached_input_tokens) ?? 0;
  // codex counts cached tokens inside input_tokens; Baton keeps them apart, as opencode reports them.
  const usage: TokenUsage = { input: Math.max(0, (input ?? 0) - cacheRead), output: output ?? 0 };
  const reasoning = num(value.reasoning_output_tokens);
  const cacheWrite = num(value.cache_write_input_tokens);
  if (reasoning !== undefined) usage.reasoning = reasoning;
  usage.cacheRead = cacheRead;
  if (cacheWrite !== undefined) usage.cacheWrite = cacheWrite;
  return usage;
}

/** A Map, not an object literal: a change kind "constructor" must not find Object.prototype. */
const FILE_KIND: ReadonlyMap<string, ToolKind> = new Map([
  ['add', 'write'],
  ['update', 'edit'],
  ['delete', 'edit'],
]);

export function createCodexParser(): OutputParser {
  return guardParser(readCodexParser);
}

function readCodexParser(report: ParseReport): OutputParser {
  /** The last turn completed and nothing (work, failure) came after it. */
  let completed = false;
  /** Message of the last fatal `error` line, which `turn.failed` repeats. */
  let lastError: string | undefined;
  let reconnects = 0;
  /** Still reconnecting when the output ended: the reason the run went nowhere. */
  let reconnecting: string | undefined;
  let out: RunEvent[] = [];

  const pushTool = (event: Omit<Extract<RunEvent, { kind: 'tool' }>, 'kind'>): void => {
    out.push({ kind: 'tool', ...event });
  };

  const onCommand = (item: Json, id: string): void => {
    const raw = str(item.status);
    const exitCode = num(item.exit_code);
    // A command that ran and failed is a completed call with a non-zero exit, as in every runner;
    // 'failed' without an exit code (it never ran) and 'declined' are errors.
    const status: ToolStatus =
      raw === 'in_progress' ? 'running' : raw === 'completed' || (raw === 'failed' && exitCode !== undefined) ? 'completed' : 'error';
    const command = unwrapShellCommand(str(item.command) ?? '');
    const output = str(item.aggregated_output);
    pushTool({
      callId: id,
      tool: 'shell',
      toolKind: 'command',
      status,
      command,
      ...(exitCode !== undefined && { exitCode }),
      ...(output !== undefined && output !== '' && status !== 'running' && { output: clip(output, OUTPUT_LIMIT) }),
    });
    if (raw === 'declined') out.push({ kind: 'denied', tool: 'shell', detail: clip(command, 300) });
  };

  const onFileChange = (item: Json, id: string): void => {
    const raw = str(item.status);
    const status: ToolStatus = raw === 'completed' ? 'completed' : raw === 'failed' || raw === 'declined' ? 'error' : 'running';
    const changes = Array.isArray(item.changes) ? item.changes.filter(isRecord) : [];
    changes.forEach((change, index) => {
      const path = str(change.path);
      pushTool({
        // One event per file, each its own call, so every path is counted and listed.
        callId: changes.length === 1 ? id : `${id}/${index}`,
        tool: 'apply_patch',
        toolKind: FILE_KIND.get(str(change.kind) ?? '') ?? 'edit',
        status,
        ...(path !== undefined && { path }),
      });
    });
  };

  const onItem = (phase: string, item: Json): void => {
    const id = str(item.id) ?? 'item';
    switch (item.type) {
      case 'agent_message': {
        const text = str(item.text);
        if (phase === 'item.completed' && text !== undefined && text.trim() !== '') out.push({ kind: 'text', text });
        return;
      }
      case 'command_execution':
        onCommand(item, id);
        return;
      case 'file_change':
        onFileChange(item, id);
        return;
      case 'mcp_tool_call': {
        const raw = str(item.status);
        const error = isRecord(item.error) ? str(item.error.message) : undefined;
        pushTool({
          callId: id,
          tool: [str(item.server), str(item.tool)].filter(Boolean).join('.') || 'mcp',
          toolKind: 'other',
          status: raw === 'completed' ? 'completed' : raw === 'failed' ? 'error' : 'running',
          ...(error !== undefined && { output: clip(error, OUTPUT_LIMIT) }),
        });
        return;
      }
      case 'web_search': {
        const query = str(item.query);
        pushTool({
          callId: id,
          tool: 'web_search',
          toolKind: 'search',
          status: phase === 'item.completed' ? 'completed' : 'running',
          ...(query !== undefined && query !== '' && { title: clip(query, 500) }),
        });
        return;
      }
      case 'todo_list':
        // A plan, updated in place; never a call that can be cut off.
        if (phase === 'item.started') pushTool({ callId: id, tool: 'todo_list', toolKind: 'todo', status: 'completed' });
        return;
      case 'error': {
        // Non-fatal by construction (fatal ones are top-level `error` lines): a notice, never the provider failing.
        const message = str(item.message);
        if (message === undefined || phase !== 'item.completed' || HARMLESS_NOTICES.some((notice) => notice.test(message))) return;
        out.push({ kind: 'error', message: clip(message, 2_000), api: false });
        return;
      }
      default:
        // reasoning, collaboration and whatever later versions add
        return;
    }
  };

  const onError = (raw: string): void => {
    completed = false;
    if (RECONNECTING.test(raw)) {
      reconnects += 1;
      reconnecting = raw;
      out.push({ kind: 'retry', attempt: reconnects, message: clip(raw, 500) });
      return;
    }
    reconnecting = undefined;
    lastError = raw;
    const { message, api, status } = classifyCodexError(raw);
    out.push({ kind: 'error', message: clip(message, 2_000), api, ...(status !== undefined && { status }) });
  };

  const onEvent = (event: Json): void => {
    const type = str(event.type);
    if (type !== 'error' && type !== 'turn.failed' && type !== undefined) reconnecting = undefined;
    switch (type) {
      case 'thread.started': {
        const sessionId = str(event.thread_id);
        if (sessionId) out.push({ kind: 'session', sessionId });
        return;
      }
      case 'turn.started':
        completed = false;
        lastError = undefined;
        return;
      case 'turn.completed': {
        const tokens = tokensOf(event.usage);
        out.push({ kind: 'step', reason: 'stop', ...(tokens !== undefined && { tokens }) });
        completed = true;
        return;
      }
      case 'turn.failed': {
        completed = false;
        const message = isRecord(event.error) ? str(event.error.message) : undefined;
        // The `error` line just before already said it.
        if (message !== undefined && message !== lastError) onError(message);
        reconnecting = undefined;
        return;
      }
      case 'error': {
        const message = str(event.message);
        if (message !== undefined) onError(message);
        return;
      }
      case 'item.started':
      case 'item.updated':
      case 'item.completed':
        if (isRecord(event.item)) {
          if (type !== 'item.completed' || event.item.type !== 'agent_message') completed = false;
          onItem(type, event.item);
        }
        return;
      default:
        return;
    }
  };

  /** stderr lines: codex's own failures (`Error: …`, `Error loading config.toml: …`, the git repo check). */
  const onPlain = (line: string): void => {
    const plain = stripAnsi(line).trim();
    let message: string;
    if (plain.startsWith('Error: ')) {
      message = plain.slice(7);
      // The thread lives in another CODEX_HOME than the one this codex was given.
      if (/no rollout found/.test(message)) message += ' (codex finds threads under $CODEX_HOME/sessions; resume with the CODEX_HOME of the first run)';
    }
    else if (/^Error\b/.test(plain)) message = plain;
    else if (plain.startsWith('Not inside a trusted directory')) message = `${plain} (Baton: run it in a git repository, or pass --runner-option skipGitRepoCheck=true)`;
    else return;
    message = clip(message, 2_000);
    out.push({ kind: 'error', message, ...classifyErrorText(message) });
    completed = false;
  };

  return {
    push(line: string): RunEvent[] {
      out = [];
      dispatchJsonLine(line, onEvent, onPlain, report, 7);
      return out;
    },
    end(): RunEvent[] {
      const events: RunEvent[] = [];
      if (completed) events.push({ kind: 'completion' });
      // codex never gives up on an unreachable model; whoever ended it (a timeout, a kill) should hear why.
      if (reconnecting !== undefined) {
        const message = `codex could not reach the model and was still reconnecting (attempt ${reconnects}): ${clip(reconnecting, 500)}`;
        events.push({ kind: 'error', message, api: true });
      }
      completed = false;
      reconnecting = undefined;
      return events;
    },
  };
}
