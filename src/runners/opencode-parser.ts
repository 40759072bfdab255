import type { OutputParser, RunEvent, TokenUsage, ToolStatus } from '../events.js';
import { clip, stripAnsi } from '../text.js';
import { TOOL_OUTPUT_LIMIT as OUTPUT_LIMIT } from '../events.js';
import { classifyErrorText } from './provider-errors.js';
import { toolKindOf } from './tool-kinds.js';
import { dispatchJsonLine, isRecord, num, str } from './jsonl.js';
import { guardParser, type ParseReport } from './parse-guard.js';

/**
 * Parser for `opencode run --format json` (1.18.x): one JSON object per line, each
 * `{type, timestamp, sessionID, …}` with type
 * - `step_start` (a model request began; retries of a failing request print one each),
 * - `tool_use` (`part.tool`, `part.callID`, `part.state.{status,input,output,error,title,metadata}`;
 *   printed only once a call is completed or errored, so a call cut off mid-run never appears;
 *   bash's exit code is `metadata.exit`),
 * - `step_finish` (`part.reason` stop / tool-calls / length / …, `part.tokens`, `part.cost`),
 * - `text` (`part.text`, a whole text part), `reasoning` (only with `--thinking`),
 * - `error` (`error.name` APIError / UnknownError / …, `error.data.message`, `error.data.statusCode`).
 * There is no completion line: the run is done when its last step finished with reason `stop`.
 */

type Json = Record<string, unknown>;

const TOOL_STATUSES: ReadonlySet<string> = new Set<ToolStatus>(['pending', 'running', 'completed', 'error']);

/** Error names that always come from the model provider, whatever their message says. */
const API_ERROR_NAMES: ReadonlySet<string> = new Set(['APIError', 'ProviderAuthError', 'ContextOverflowError']);

/** The first file an apply_patch call touches (`*** Update File: path`). */
function patchPath(patch: string): string | undefined {
  const m = /^\*\*\* (?:Update|Add|Delete) File: (.+)$/m.exec(patch.length > 4_096 ? patch.slice(0, 4_096) : patch);
  return m?.[1]?.trim();
}

function tokensOf(value: unknown): TokenUsage | undefined {
  if (!isRecord(value)) return undefined;
  const input = num(value.input);
  const output = num(value.output);
  if (input === undefined && output === undefined) return undefined;
  const usage: TokenUsage = { input: input ?? 0, output: output ?? 0 };
  const reasoning = num(value.reasoning);
  if (reasoning !== undefined) usage.reasoning = reasoning;
  const cache = isRecord(value.cache) ? value.cache : undefined;
  const cacheRead = num(cache?.read);
  const cacheWrite = num(cache?.write);
  if (cacheRead !== undefined) usage.cacheRead = cacheRead;
  if (cacheWrite !== undefined) usage.cacheWrite = cacheWrite;
  return usage;
}

export function createOpencodeParser(): OutputParser {
  return guardParser(readOpencodeParser);
}

function readOpencodeParser(report: ParseReport): OutputParser {
  let sessionId: string | undefined;
  /** The last step finished with reason "stop" and nothing (tool, step, error) came after it. */
  let stopped = false;
  let toolCount = 0;
  let out: RunEvent[] = [];

  const onTool = (part: Json, at: number | undefined): void => {
    const state = isRecord(part.state) ? part.state : {};
    const rawStatus = str(state.status);
    const status: ToolStatus = rawStatus !== undefined && TOOL_STATUSES.has(rawStatus) ? (rawStatus as ToolStatus) : 'running';
    const tool = str(part.tool) ?? 'unknown';
    const toolKind = toolKindOf(tool);
    const input = isRecord(state.input) ? state.input : {};
    const metadata = isRecord(state.metadata) ? state.metadata : {};
    let callId = str(part.callID) ?? str(part.id);
    if (callId === undefined) {
      toolCount += 1;
      callId = `opencode-${toolCount}`;
    }
    let path: string | undefined;
    if (toolKind === 'read' || toolKind === 'edit' || toolKind === 'write') {
      path = str(input.filePath) ?? str(input.path) ?? str(metadata.filepath);
      if (path === undefined && typeof input.patchText === 'string') path = patchPath(input.patchText);
    }
    const command = toolKind === 'command' ? str(input.command) : undefined;
    const exitCode = num(metadata.exit);
    const title = str(state.title);
    const text = status === 'error' ? str(state.error) : str(state.output);
    out.push({
      kind: 'tool',
      callId,
      tool,
      toolKind,
      status,
      ...(path !== undefined && { path }),
      ...(command !== undefined && { command }),
      ...(exitCode !== undefined && { exitCode }),
      ...(title !== undefined && title !== '' && { title: clip(title, 500) }),
      ...(text !== undefined && text !== '' && { output: clip(text, OUTPUT_LIMIT) }),
      ...(at !== undefined && { at }),
    });
  };

  const onError = (value: unknown, at: number | undefined): void => {
    const error = isRecord(value) ? value : {};
    const data = isRecord(error.data) ? error.data : {};
    const name = str(error.name);
    const message =
      str(data.message) ?? str(error.message) ?? (typeof value === 'string' ? value : undefined) ?? name ?? 'unknown error';
    const classified = classifyErrorText(name ? `${name}: ${message}` : message);
    const api = name === 'MessageAbortedError' ? false : (name !== undefined && API_ERROR_NAMES.has(name)) || classified.api;
    const status = num(data.statusCode) ?? classified.status;
    out.push({
      kind: 'error',
      message: clip(message, 2_000),
      api,
      ...(status !== undefined && { status }),
      ...(at !== undefined && { at }),
    });
  };

  const onEvent = (event: Json): void => {
    const at = num(event.timestamp);
    const sid = str(event.sessionID);
    if (sid && sid !== sessionId) {
      sessionId = sid;
      out.push({ kind: 'session', sessionId: sid, ...(at !== undefined && { at }) });
    }
    const part = isRecord(event.part) ? event.part : {};
    switch (event.type) {
      case 'step_start':
        stopped = false;
        return;
      case 'tool_use':
        stopped = false;
        onTool(part, at);
        return;
      case 'step_finish': {
        const reason = str(part.reason) ?? 'unknown';
        const tokens = tokensOf(part.tokens);
        const cost = num(part.cost);
        out.push({
          kind: 'step',
          reason,
          ...(tokens !== undefined && { tokens }),
          ...(cost !== undefined && { cost }),
          ...(at !== undefined && { at }),
        });
        stopped = reason === 'stop';
        return;
      }
      case 'text': {
        const text = str(part.text);
        if (text !== undefined && text.trim() !== '') out.push({ kind: 'text', text, ...(at !== undefined && { at }) });
        return;
      }
      case 'error':
        stopped = false;
        onError(event.error, at);
        return;
      default:
        // reasoning, and whatever later versions add
        return;
    }
  };

  /** Lines that are not JSON: opencode's own failures ("Error: …") when stderr shares the log. */
  const onPlain = (line: string): void => {
    const plain = stripAnsi(line).trim();
    if (plain.startsWith('Error: ')) {
      const message = clip(plain.slice(7), 2_000);
      out.push({ kind: 'error', message, ...classifyErrorText(message) });
      stopped = false;
    }
  };

  return {
    push(line: string): RunEvent[] {
      out = [];
      dispatchJsonLine(line, onEvent, onPlain, report, 7);
      return out;
    },
    end(): RunEvent[] {
      if (!stopped) return [];
      stopped = false;
      return [{ kind: 'completion' }];
    },
  };
}
