import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { BatonError } from '../errors.js';
import { clip } from '../text.js';
import { describeToolInput, exitCodeInResult, toolResultText } from './claude-parser.js';
import type { SessionFacts } from './types.js';
import { isRecord } from './jsonl.js';

/**
 * Claude Code's session transcripts: `<config dir>/projects/<project>/<session id>.jsonl`, one JSON
 * object per line, appended as the session goes (resumed runs append to the same file). The config
 * dir is `$CLAUDE_CONFIG_DIR` or `~/.claude`; the project is the working directory with every
 * character other than a letter or digit replaced by `-` (long paths are cut and get a hash).
 *
 * Entries used here: `type: "user"` with `message.content` a string or text blocks (a prompt) or
 * `tool_result` blocks (`tool_use_id`, `content`, `is_error`); `type: "assistant"` with `tool_use`
 * blocks (`id`, `name`, `input`), or a failed model call (`isApiErrorMessage`, `apiErrorStatus`,
 * the error as its text). Everything else (attachments, queue operations, summaries) is skipped.
 */

type Json = Record<string, unknown>;


export function claudeConfigDir(env: NodeJS.ProcessEnv): string {
  return env.CLAUDE_CONFIG_DIR || join(env.HOME || homedir(), '.claude');
}

/** The project folder name Claude Code uses for a working directory (short paths only). */
export function claudeProjectName(dir: string): string {
  return dir.replace(/[^a-zA-Z0-9]/g, '-');
}

/**
 * The transcript of a session: first where `dir` says it is, then in any project folder (session ids
 * are UUIDs, so the name alone finds it even when the folder name was shortened). Null when absent.
 */
export function findClaudeTranscript(sessionId: string, env: NodeJS.ProcessEnv, dir?: string): string | null {
  // The id comes from the store; never let it name a path outside the projects folder.
  if (!/^[A-Za-z0-9-]+$/.test(sessionId)) return null;
  const projects = join(claudeConfigDir(env), 'projects');
  const file = `${sessionId}.jsonl`;
  if (dir !== undefined) {
    const expected = join(projects, claudeProjectName(dir), file);
    if (existsSync(expected)) return expected;
  }
  let folders: string[];
  try {
    folders = readdirSync(projects);
  } catch {
    return null;
  }
  for (const folder of folders) {
    const candidate = join(projects, folder, file);
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

/** Every line of the transcript as parsed JSON; lines that are not JSON (a write cut off) are skipped. */
export function readClaudeTranscript(path: string): unknown[] {
  const entries: unknown[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      entries.push(JSON.parse(line));
    } catch {
      // A partial last line of a killed run.
    }
  }
  return entries;
}

/** `baton export`: the session's transcript lines, as Claude Code wrote them. */
export function exportClaudeSession(sessionId: string, dir: string, env: NodeJS.ProcessEnv): unknown[] {
  const path = findClaudeTranscript(sessionId, env, dir);
  if (path === null) {
    throw new BatonError(
      'not-found',
      `no transcript of claude session ${sessionId} under ${join(claudeConfigDir(env), 'projects')} (set CLAUDE_CONFIG_DIR as the run had it)`,
    );
  }
  return readClaudeTranscript(path);
}

interface Call {
  tool: string;
  input: Json;
  result?: { failed: boolean; text: string };
}

/**
 * What the transcript says beyond the log: tool calls that never got a result, Bash commands with
 * their exit codes (the whole session, earlier runs included, as verification wants), and failed
 * model calls. Unfinished calls and errors count only after the latest prompt, i.e. in this run:
 * a resumed session keeps the dangling call of the run that was cut off before it.
 */
export function readClaudeSession(sessionId: string, env: NodeJS.ProcessEnv): SessionFacts | null {
  const path = findClaudeTranscript(sessionId, env);
  if (path === null) return null;
  let entries: unknown[];
  try {
    entries = readClaudeTranscript(path);
  } catch {
    return null;
  }
  const calls = new Map<string, Call>();
  /** Call ids in order, and where the current run's part starts in that order. */
  const order: string[] = [];
  let runStart = 0;
  let errors: SessionFacts['errors'] = [];
  for (const entry of entries) {
    if (!isRecord(entry) || !isRecord(entry.message)) continue;
    const content = entry.message.content;
    if (entry.type === 'assistant') {
      if (entry.isApiErrorMessage === true) {
        const text = toolResultText(content).trim() || (typeof entry.error === 'string' ? entry.error : 'model API error');
        const status = typeof entry.apiErrorStatus === 'number' ? entry.apiErrorStatus : undefined;
        errors.push({ message: clip(text, 2_000), api: true, ...(status !== undefined && { status }) });
        continue;
      }
      if (!Array.isArray(content)) continue;
      for (const block of content) {
        if (!isRecord(block) || block.type !== 'tool_use' || typeof block.id !== 'string') continue;
        calls.set(block.id, { tool: typeof block.name === 'string' ? block.name : 'unknown', input: isRecord(block.input) ? block.input : {} });
        order.push(block.id);
      }
    } else if (entry.type === 'user') {
      const results = Array.isArray(content) ? content.filter((block) => isRecord(block) && block.type === 'tool_result') : [];
      if (results.length === 0) {
        // A prompt (not Claude Code's own meta messages): a new run of the session starts here.
        if (entry.isMeta !== true && entry.isSidechain !== true) {
          runStart = order.length;
          errors = [];
        }
        continue;
      }
      for (const block of results as Json[]) {
        const call = typeof block.tool_use_id === 'string' ? calls.get(block.tool_use_id) : undefined;
        if (call) call.result = { failed: block.is_error === true, text: toolResultText(block.content) };
      }
    }
  }
  const facts: SessionFacts = { unfinishedTools: [], commands: [], errors };
  order.forEach((id, index) => {
    const call = calls.get(id)!;
    const { toolKind, path: file, command } = describeToolInput(call.tool, call.input);
    if (toolKind === 'command' && command !== undefined) {
      const exitCode = call.result === undefined ? undefined : call.result.failed ? exitCodeInResult(call.result.text) : call.input.run_in_background === true ? undefined : 0;
      facts.commands.push({
        command,
        status: call.result === undefined ? 'running' : call.result.failed ? 'error' : 'completed',
        ...(exitCode !== undefined && { exitCode }),
      });
    }
    if (call.result === undefined && index >= runStart) {
      facts.unfinishedTools.push({ tool: call.tool, status: 'running', ...(file !== undefined && { path: file }), ...(command !== undefined && { command }) });
    }
  });
  return facts;
}
