import { readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { BatonError } from '../errors.js';
import { classifyCodexError, scriptOfArgv } from './codex-parser.js';
import type { SessionFacts, UnfinishedTool } from './types.js';
import { isRecord, str } from './jsonl.js';

/**
 * codex's session store: one "rollout" file per thread, `$CODEX_HOME/sessions/YYYY/MM/DD/
 * rollout-<local time>-<thread id>.jsonl` (CODEX_HOME defaults to ~/.codex), one `{timestamp, type,
 * payload}` object per line, appended to by every `codex exec resume` of the thread. Types:
 * `session_meta`, `turn_context`, `response_item` (what the model saw and said: messages,
 * `function_call` / `custom_tool_call` and their `*_output`), `event_msg` (`item_completed` with a
 * `CommandExecution` item holding the argv, status and exit code; `task_complete` with the turn's
 * `error` and its `codex_error_info`), and more that Baton does not read.
 */

type Json = Record<string, unknown>;

export function codexHome(env: NodeJS.ProcessEnv): string {
  return env.CODEX_HOME || join(env.HOME || homedir(), '.codex');
}

/** The rollout file of a thread, newest folders first; null when there is none. */
export function findRollout(threadId: string, env: NodeJS.ProcessEnv): string | null {
  const suffix = `-${threadId}.jsonl`;
  const search = (dir: string, depth: number): string | null => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return null;
    }
    entries.sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
    for (const entry of entries) {
      if (entry.isFile() && entry.name.startsWith('rollout-') && entry.name.endsWith(suffix)) return join(dir, entry.name);
    }
    if (depth === 0) return null;
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      const found = search(join(dir, entry.name), depth - 1);
      if (found) return found;
    }
    return null;
  };
  const home = codexHome(env);
  return search(join(home, 'sessions'), 3) ?? search(join(home, 'archived_sessions'), 3);
}

/** The rollout's lines, parsed; a line cut short by a killed codex is left out. */
function readRollout(path: string): Json[] {
  const lines: Json[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      const value: unknown = JSON.parse(line);
      if (isRecord(value)) lines.push(value);
    } catch {
      // skip
    }
  }
  return lines;
}

/** `baton export`: the thread's rollout, every line as parsed JSON. */
export function exportCodexSession(threadId: string, env: NodeJS.ProcessEnv): Json[] {
  const path = findRollout(threadId, env);
  if (!path) throw new BatonError('not-found', `no codex rollout for thread ${threadId} under ${join(codexHome(env), 'sessions')}`);
  return readRollout(path);
}

/** HTTP statuses behind codex's error categories (`codex_error_info`). */
const STATUS_OF_INFO: ReadonlyMap<string, number> = new Map([
  ['internal_server_error', 500],
  ['unauthorized', 401],
  ['bad_request', 400],
  ['usage_limit_exceeded', 429],
  ['server_overloaded', 503],
]);

/** Categories that are not the model provider failing. */
const LOCAL_INFO = new Set(['sandbox_error', 'thread_rollback_failed']);

function errorOf(value: Json): SessionFacts['errors'][number] | null {
  const raw = str(value.message);
  if (raw === undefined) return null;
  const classified = classifyCodexError(raw);
  const info = value.codex_error_info;
  let status = classified.status;
  let api = classified.api;
  if (typeof info === 'string') {
    status ??= STATUS_OF_INFO.get(info);
    api = !LOCAL_INFO.has(info) && (api || info !== 'other');
  } else if (isRecord(info)) {
    // {"http_connection_failed": {"http_status_code": 404}} and the like.
    for (const detail of Object.values(info)) {
      const code = isRecord(detail) ? detail.http_status_code : undefined;
      if (typeof code === 'number') status ??= code;
    }
    api = true;
  }
  return { message: classified.message, api, ...(status !== undefined && { status }) };
}

function commandStatus(status: string | undefined, exitCode: number | undefined): SessionFacts['commands'][number]['status'] {
  if (status === 'in_progress') return 'running';
  return status === 'completed' || exitCode !== undefined ? 'completed' : 'error';
}

function patchPath(patch: string): string | undefined {
  return /^\*\*\* (?:Update|Add|Delete) File: (.+)$/m.exec(patch.slice(0, 4_096))?.[1]?.trim();
}

/**
 * Commands with exit codes, calls the model made that never got an answer (codex cut off), and the
 * turns' errors with the HTTP status the log does not show (a 500 reads "We're currently experiencing
 * high demand"). Null when the rollout cannot be found.
 */
export function readCodexSession(threadId: string, env: NodeJS.ProcessEnv): SessionFacts | null {
  let lines: Json[];
  try {
    const path = findRollout(threadId, env);
    if (!path) return null;
    lines = readRollout(path);
  } catch {
    return null;
  }
  const calls = new Map<string, { name: string; args: string }>();
  const answered = new Set<string>();
  const executions = new Map<string, SessionFacts['commands'][number]>();
  const outputs = new Map<string, string>();
  const facts: SessionFacts = { unfinishedTools: [], commands: [], errors: [] };
  for (const line of lines) {
    const payload = isRecord(line.payload) ? line.payload : {};
    if (line.type === 'response_item') {
      const callId = str(payload.call_id);
      if (callId === undefined) continue;
      if (payload.type === 'function_call' || payload.type === 'custom_tool_call') {
        calls.set(callId, { name: str(payload.name) ?? 'unknown', args: str(payload.arguments) ?? str(payload.input) ?? '' });
      } else if (payload.type === 'function_call_output' || payload.type === 'custom_tool_call_output') {
        answered.add(callId);
        const output = payload.output;
        if (typeof output === 'string') outputs.set(callId, output);
      }
    } else if (line.type === 'event_msg') {
      if (payload.type === 'item_completed' && isRecord(payload.item) && payload.item.type === 'CommandExecution') {
        const item = payload.item;
        const argv = Array.isArray(item.command) ? item.command.filter((w): w is string => typeof w === 'string') : [];
        const exitCode = typeof item.exit_code === 'number' ? item.exit_code : undefined;
        const command = scriptOfArgv(argv) ?? argv.join(' ');
        executions.set(str(item.id) ?? `exec-${executions.size}`, {
          command,
          status: commandStatus(str(item.status), exitCode),
          ...(exitCode !== undefined && { exitCode }),
        });
      } else if (payload.type === 'task_complete' && isRecord(payload.error)) {
        const error = errorOf(payload.error);
        if (error) facts.errors.push(error);
      }
    }
  }
  const listed = new Set<string>();
  for (const [callId, call] of calls) {
    const execution = executions.get(callId);
    if (execution) {
      facts.commands.push(execution);
      listed.add(callId);
      continue;
    }
    const args = parseArgs(call.args);
    if (call.name === 'exec_command' || call.name === 'shell') {
      const command = str(args.cmd) ?? (Array.isArray(args.command) ? args.command.join(' ') : str(args.command)) ?? '';
      // A command codex refused to start (sandbox) answers the model without a CommandExecution item.
      const exit = /^Process exited with code (\d+)$/m.exec(outputs.get(callId) ?? '')?.[1];
      const status = !answered.has(callId) ? 'running' : exit !== undefined ? 'completed' : 'error';
      facts.commands.push({ command, status, ...(exit !== undefined && { exitCode: Number(exit) }) });
      if (!answered.has(callId)) facts.unfinishedTools.push({ tool: 'shell', status: 'running', command });
    } else if (!answered.has(callId)) {
      const path = call.name === 'apply_patch' ? patchPath(call.args) : str(args.path);
      const tool: UnfinishedTool = { tool: call.name, status: 'running', ...(path !== undefined && { path }) };
      facts.unfinishedTools.push(tool);
    }
  }
  // Commands codex ran without a model call of its own (none in 0.169, but the store allows it).
  for (const [id, execution] of executions) if (!listed.has(id)) facts.commands.push(execution);
  return facts;
}

function parseArgs(args: string): Json {
  try {
    const value: unknown = JSON.parse(args);
    return isRecord(value) ? value : {};
  } catch {
    return {};
  }
}

