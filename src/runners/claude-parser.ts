import type { OutputParser, RunEvent, TokenUsage, ToolKind, ToolStatus } from '../events.js';
import { TOOL_OUTPUT_LIMIT as OUTPUT_LIMIT } from '../events.js';
import { clip, stripAnsi } from '../text.js';
import { classifyErrorText } from './provider-errors.js';
import { toolKindOf } from './tool-kinds.js';
import { dispatchJsonLine, isRecord, num, str } from './jsonl.js';
import { guardParser, type ParseReport } from './parse-guard.js';

/**
 * Parser for `claude -p --output-format stream-json --verbose` (Claude Code 2.1.x): one JSON object
 * per line, each with `type` (and `session_id`):
 * - `system`: subtype `init` (`session_id`, `model`, `tools`, `permissionMode`); `api_retry`
 *   (`attempt`, `max_retries`, `retry_delay_ms`, `error_status`, `error`), printed before each retry
 *   of a failed model call; `task_started` / `task_notification` for Bash runs (ignored);
 * - `assistant`: `message.content` holds one block per line, `text` or `tool_use` (`id`, `name`,
 *   `input`); a failed model call ends in a synthetic one (`model` "<synthetic>", top-level
 *   `error` such as "server_error") whose text is "API Error: 500 …";
 * - `user`: `message.content` with `tool_result` blocks (`tool_use_id`, `content`, `is_error`), and
 *   `tool_use_result` with the tool's structured result (Bash: `stdout`, `stderr`, `interrupted`).
 *   A failing Bash command is `is_error` with content "Exit code N\n<output>";
 * - `result`: `subtype` (success, error_during_execution, error_max_turns, …), `is_error`,
 *   `api_error_status`, `result` (the final text or the error), `errors` (for error subtypes),
 *   `num_turns`, `usage`, `total_cost_usd`, `permission_denials` (`tool_name`, `tool_use_id`,
 *   `tool_input`), `stop_reason`.
 * Traps: a failed API call still ends with subtype "success" but `is_error` true (and exit 1); a tool
 * call the permission settings refused leaves `is_error` false and exit 0 and shows only in
 * `permission_denials` (and as an `is_error` tool result "This command requires approval").
 * Lines that are not JSON come from stderr: usage errors such as "Error: Invalid session ID".
 */

type Json = Record<string, unknown>;

/** Claude Code's own tool names where the shared table would not know them. */
const CLAUDE_TOOL_KINDS: ReadonlyMap<string, ToolKind> = new Map(Object.entries({
  NotebookEdit: 'edit',
  Agent: 'task',
  Task: 'task',
  TaskCreate: 'todo',
  TaskUpdate: 'todo',
  TaskList: 'todo',
  TaskGet: 'todo',
  BashOutput: 'command',
} satisfies Record<string, ToolKind>));

export function claudeToolKind(tool: string): ToolKind {
  return CLAUDE_TOOL_KINDS.get(tool) ?? toolKindOf(tool);
}

/** What a tool call is about: the file of file tools, the command of Bash. */
export function describeToolInput(tool: string, input: Json): { toolKind: ToolKind; path?: string; command?: string; title?: string } {
  const toolKind = claudeToolKind(tool);
  const path = toolKind === 'read' || toolKind === 'edit' || toolKind === 'write' ? (str(input.file_path) ?? str(input.notebook_path) ?? str(input.path)) : undefined;
  const command = toolKind === 'command' ? str(input.command) : undefined;
  const title = str(input.description);
  return { toolKind, ...(path !== undefined && { path }), ...(command !== undefined && { command }), ...(title !== undefined && { title }) };
}

/** The exit code Claude Code writes at the head of a failed Bash result: "Exit code 3\n…". */
export function exitCodeInResult(text: string): number | undefined {
  const match = /^Exit code (\d{1,3})\b/.exec(text);
  return match?.[1] !== undefined ? Number(match[1]) : undefined;
}

/** Text of a tool_result's content: a string, or text blocks. */
export function toolResultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((block) => (isRecord(block) && block.type === 'text' ? (str(block.text) ?? '') : '')).join('\n');
}

/** One line for a denied call: "node test/math.test.js" for Bash, the file for file tools. */
export function summariseDeniedInput(tool: string, input: unknown): string | undefined {
  if (!isRecord(input)) return undefined;
  const { path, command } = describeToolInput(tool, input);
  const summary = command ?? path ?? (Object.keys(input).length > 0 ? JSON.stringify(input) : undefined);
  return summary === undefined ? undefined : clip(summary.replace(/\s+/g, ' '), 200);
}

/** "API Error: 500 upstream exploded…" → 500. */
function statusInApiError(text: string): number | undefined {
  const match = /^API Error: ([1-5]\d\d)\b/.exec(text);
  return match?.[1] !== undefined ? Number(match[1]) : undefined;
}

const ROOT_REFUSAL = /cannot be used with root\/sudo privileges/;

function usageOf(value: unknown): TokenUsage | undefined {
  if (!isRecord(value)) return undefined;
  const input = num(value.input_tokens);
  const output = num(value.output_tokens);
  if (input === undefined && output === undefined) return undefined;
  const usage: TokenUsage = { input: input ?? 0, output: output ?? 0 };
  const cacheRead = num(value.cache_read_input_tokens);
  const cacheWrite = num(value.cache_creation_input_tokens);
  if (cacheRead) usage.cacheRead = cacheRead;
  if (cacheWrite) usage.cacheWrite = cacheWrite;
  return usage;
}

interface KnownCall {
  callId: string;
  tool: string;
  toolKind: ToolKind;
  path?: string;
  command?: string;
  title?: string;
  background: boolean;
}

export function createClaudeParser(): OutputParser {
  return guardParser(readClaudeParser);
}

function readClaudeParser(report: ParseReport): OutputParser {
  let sessionId: string | undefined;
  let model: string | undefined;
  const calls = new Map<string, KnownCall>();
  /** Calls seen starting whose result has not been seen yet. */
  const open = new Set<string>();
  /** Errors already reported (the synthetic API-error message, stderr), which the `result` repeats. */
  const reported = new Set<string>();
  let out: RunEvent[] = [];

  const at = (event: Json): number | undefined => {
    const stamp = str(event.timestamp);
    const ms = stamp === undefined ? NaN : Date.parse(stamp);
    return Number.isFinite(ms) ? ms : undefined;
  };

  const onSystem = (event: Json): void => {
    switch (event.subtype) {
      case 'init': {
        const name = str(event.model);
        if (name && name !== model) {
          model = name;
          out.push({ kind: 'model', model: name });
        }
        return;
      }
      case 'api_retry': {
        const attempt = num(event.attempt) ?? 1;
        const maxAttempts = num(event.max_retries);
        const status = num(event.error_status);
        const error = str(event.error);
        const delay = num(event.retry_delay_ms);
        const message = [error, delay !== undefined ? `next try in ${(delay / 1000).toFixed(1)}s` : undefined].filter(Boolean).join(', ');
        out.push({
          kind: 'retry',
          attempt,
          ...(maxAttempts !== undefined && { maxAttempts }),
          ...(status !== undefined && { status }),
          ...(message !== '' && { message }),
        });
        return;
      }
      default:
        // task_started, task_notification, compact_boundary, hook events, and whatever comes later
        return;
    }
  };

  const onAssistant = (event: Json): void => {
    const message = isRecord(event.message) ? event.message : {};
    const content = Array.isArray(message.content) ? message.content : [];
    // A failed model call: Claude Code writes the error as the assistant's text.
    if (typeof event.error === 'string') {
      const text = content.map((block) => (isRecord(block) ? (str(block.text) ?? '') : '')).join('\n').trim() || event.error;
      const status = statusInApiError(text) ?? classifyErrorText(text).status;
      reported.add(text);
      out.push({ kind: 'error', message: clip(text, 2_000), api: true, ...(status !== undefined && { status }) });
      return;
    }
    // Messages of a subagent (Task/Agent) carry its parent call's id: their tools are work done, their
    // texts are not the run's final word.
    const fromSubagent = event.parent_tool_use_id != null;
    for (const block of content) {
      if (!isRecord(block)) continue;
      if (block.type === 'text') {
        const text = str(block.text);
        if (text !== undefined && text.trim() !== '' && !fromSubagent) out.push({ kind: 'text', text });
      } else if (block.type === 'tool_use') {
        const callId = str(block.id);
        const tool = str(block.name) ?? 'unknown';
        if (callId === undefined) continue;
        const input = isRecord(block.input) ? block.input : {};
        const described = describeToolInput(tool, input);
        calls.set(callId, { callId, tool, ...described, background: input.run_in_background === true });
        open.add(callId);
        const { title, ...rest } = described;
        out.push({ kind: 'tool', callId, tool, status: 'running', ...rest, ...(title !== undefined && { title: clip(title, 500) }) });
      }
    }
  };

  const onUser = (event: Json): void => {
    const message = isRecord(event.message) ? event.message : {};
    const content = Array.isArray(message.content) ? message.content : [];
    const structured = event.tool_use_result;
    for (const block of content) {
      if (!isRecord(block) || block.type !== 'tool_result') continue;
      const callId = str(block.tool_use_id);
      if (callId === undefined) continue;
      const call = calls.get(callId) ?? { callId, tool: 'unknown', toolKind: 'other' as ToolKind, background: false };
      open.delete(callId);
      const failed = block.is_error === true;
      const status: ToolStatus = failed ? 'error' : 'completed';
      const text = toolResultText(block.content);
      const when = at(event);
      let exitCode: number | undefined;
      if (call.toolKind === 'command') {
        exitCode = failed ? exitCodeInResult(text) : undefined;
        // A finished foreground command that Claude Code did not mark as failed exited 0.
        const backgrounded = call.background || (isRecord(structured) && structured.backgroundTaskId !== undefined);
        const interrupted = isRecord(structured) && structured.interrupted === true;
        if (!failed && !backgrounded && !interrupted) exitCode = 0;
      }
      out.push({
        kind: 'tool',
        callId,
        tool: call.tool,
        toolKind: call.toolKind,
        status,
        ...(call.path !== undefined && { path: call.path }),
        ...(call.command !== undefined && { command: call.command }),
        ...(exitCode !== undefined && { exitCode }),
        ...(call.title !== undefined && { title: clip(call.title, 500) }),
        ...(text !== '' && { output: clip(text, OUTPUT_LIMIT) }),
        ...(when !== undefined && { at: when }),
      });
    }
  };

  const onResult = (event: Json): void => {
    const tokens = usageOf(event.usage);
    const cost = num(event.total_cost_usd);
    const subtype = str(event.subtype) ?? 'unknown';
    out.push({
      kind: 'step',
      reason: str(event.stop_reason) ?? subtype,
      ...(tokens !== undefined && { tokens }),
      ...(cost !== undefined && { cost }),
    });
    const denials = Array.isArray(event.permission_denials) ? event.permission_denials : [];
    for (const denial of denials) {
      if (!isRecord(denial)) continue;
      const tool = str(denial.tool_name) ?? 'unknown';
      const detail = summariseDeniedInput(tool, denial.tool_input);
      out.push({ kind: 'denied', tool, ...(detail !== undefined && { detail }) });
    }
    if (event.is_error === true) {
      const errors = Array.isArray(event.errors) ? event.errors.filter((e): e is string => typeof e === 'string') : [];
      const text = str(event.result) ?? (errors.length > 0 ? errors.join('; ') : `claude ended with ${subtype}`);
      const status = num(event.api_error_status) ?? statusInApiError(text);
      if (reported.has(text)) return;
      const api = status !== undefined || /^API Error/.test(text) || classifyErrorText(text).api;
      out.push({ kind: 'error', message: clip(text, 2_000), api, ...(status !== undefined && { status }) });
      return;
    }
    if (subtype !== 'success') return;
    // A turn that ended well answered every call it made. A call still open here had its result on
    // a line too long to parse (the log reader cuts lines over 1 MiB): it is finished, not cut off.
    for (const callId of open) {
      const call = calls.get(callId)!;
      out.push({
        kind: 'tool',
        callId,
        tool: call.tool,
        toolKind: call.toolKind,
        status: 'completed',
        ...(call.path !== undefined && { path: call.path }),
        ...(call.command !== undefined && { command: call.command }),
      });
    }
    open.clear();
    out.push({ kind: 'completion' });
  };

  const onEvent = (event: Json): void => {
    const sid = str(event.session_id);
    if (sid && sid !== sessionId) {
      sessionId = sid;
      out.push({ kind: 'session', sessionId: sid });
    }
    switch (event.type) {
      case 'system':
        return onSystem(event);
      case 'assistant':
        return onAssistant(event);
      case 'user':
        return onUser(event);
      case 'result':
        return onResult(event);
      default:
        // stream_event (with --include-partial-messages), rate_limit_event, and later additions
        return;
    }
  };

  /** Lines that are not JSON: claude's own failures on stderr, which shares the log. */
  const onPlain = (line: string): void => {
    const plain = stripAnsi(line).trim();
    if (plain === '') return;
    let message = clip(plain, 2_000);
    if (ROOT_REFUSAL.test(plain)) {
      message += ' (claude accepts it as root only with IS_SANDBOX=1 in its environment)';
    }
    reported.add(plain);
    out.push({ kind: 'error', message, ...classifyErrorText(message) });
  };

  return {
    push(line: string): RunEvent[] {
      out = [];
      dispatchJsonLine(line, onEvent, onPlain, report);
      return out;
    },
    end(): RunEvent[] {
      return [];
    },
  };
}
