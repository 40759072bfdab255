import { isAbsolute, relative } from 'node:path';
import type { RunEvent, TokenUsage, ToolKind, ToolStatus } from './events.js';
import { ellipsize as clip } from './text.js';

/**
 * What a run has done so far, folded from its events. Small and JSON-serialisable: it is stored with the
 * run so that `status` never has to look at the log again.
 */
export interface RunDigest {
  sessionId?: string;
  model?: string;
  agent?: string;
  serverUrl?: string;
  toolCounts: Partial<Record<ToolKind, number>>;
  filesRead: string[];
  filesEdited: string[];
  filesWritten: string[];
  /**
   * Set when the run has ended: every file it added or modified on disk, against its launch baseline
   * (absolute paths), however it was written. While the run is live, only the tool events say.
   */
  filesOnDisk?: string[];
  commands: CommandRecord[];
  /** Tool calls seen starting but not finishing, by call id. */
  openTools: Record<string, OpenTool>;
  completionSeen: boolean;
  /** Why the model stopped its last step (opencode's step_finish reason). */
  lastStepReason?: string;
  errors: ErrorRecord[];
  tokens: TokenUsage;
  cost: number;
  finalMessage?: string;
  /** The latest retry the runner reported, cleared by the next successful step. */
  retrying?: { attempt: number; maxAttempts?: number; status?: number; message?: string; at?: number };
  /** Tool calls refused by the agent's permission settings. */
  denials: { tool: string; detail?: string }[];
  recent: BriefEvent[];
  eventCount: number;
  /** Exceptions inside the runner's parser (Baton bugs; their lines' events are lost). Absent: none. */
  parseErrors?: ParseTally;
  /** Lines that broke the runner's output format (JSON cut short), skipped. Absent: none. */
  unparsedLines?: ParseTally;
  /** Samples of [time ms, output lines so far], a few per minute, for growth at a glance. */
  growth?: [number, number][];
}

/** How many lines a parser could not use, and the first of them, for diagnosis. */
export interface ParseTally {
  count: number;
  firstLine: number;
  firstMessage: string;
}

export interface CommandRecord {
  command: string;
  status: ToolStatus;
  exitCode?: number;
  at?: number;
}

export interface OpenTool {
  tool: string;
  toolKind: ToolKind;
  status: ToolStatus;
  path?: string;
  command?: string;
}

export interface ErrorRecord {
  message: string;
  api: boolean;
  status?: number;
  count: number;
  at?: number;
}

/** One line of the "last few meaningful events" a brief shows. */
export interface BriefEvent {
  at?: number;
  kind: RunEvent['kind'];
  summary: string;
  /** For tool events: updated in place as the call moves on, instead of adding a line. */
  callId?: string;
}

const RECENT_LIMIT = 30;
const COMMAND_LIMIT = 200;
const FILE_LIMIT = 500;
const ERROR_LIMIT = 20;
const FINAL_MESSAGE_LIMIT = 2_000;

export function emptyDigest(): RunDigest {
  return {
    toolCounts: {},
    filesRead: [],
    filesEdited: [],
    filesWritten: [],
    commands: [],
    openTools: {},
    completionSeen: false,
    errors: [],
    tokens: { input: 0, output: 0 },
    cost: 0,
    denials: [],
    recent: [],
    eventCount: 0,
  };
}

function addUnique(list: string[], value: string): void {
  if (list.length < FILE_LIMIT && !list.includes(value)) list.push(value);
}


function remember(digest: RunDigest, brief: BriefEvent): void {
  digest.recent.push(brief);
  if (digest.recent.length > RECENT_LIMIT) digest.recent.shift();
}

/** "retrying 4/10, API 500" */
export function describeRetry(event: { attempt: number; maxAttempts?: number; status?: number; message?: string }): string {
  const of = event.maxAttempts !== undefined ? `/${event.maxAttempts}` : '';
  const why = event.status !== undefined ? `, API ${event.status}` : event.message ? `, ${clip(event.message, 80)}` : '';
  return `retrying ${event.attempt}${of}${why}`;
}

function openToolOf(event: Extract<RunEvent, { kind: 'tool' }>): OpenTool {
  return {
    tool: event.tool,
    toolKind: event.toolKind,
    status: event.status,
    ...(event.path !== undefined && { path: event.path }),
    ...(event.command !== undefined && { command: event.command }),
  };
}

function describeTool(event: Extract<RunEvent, { kind: 'tool' }>): string {
  const target = event.command ?? event.path ?? event.title ?? '';
  const exit = event.exitCode !== undefined ? ` (exit ${event.exitCode})` : '';
  const status = event.status === 'error' ? ' [error]' : event.status === 'completed' ? '' : ' …';
  return clip(`${event.tool} ${target}`.trim(), 160) + exit + status;
}

/** Folds one event into the digest, in place. */
export function applyEvent(digest: RunDigest, event: RunEvent): void {
  if (event.kind === 'unparsed') return tallyUnparsed(digest, event);
  digest.eventCount += 1;
  switch (event.kind) {
    case 'server':
      digest.serverUrl = event.url;
      return;
    case 'session':
      digest.sessionId = event.sessionId;
      return;
    case 'model':
      digest.model = event.model;
      return;
    case 'agent':
      digest.agent = event.agent;
      return;
    case 'tool': {
      const finished = event.status === 'completed' || event.status === 'error';
      const firstSight = !(event.callId in digest.openTools);
      if (finished) delete digest.openTools[event.callId];
      else digest.openTools[event.callId] = openToolOf(event);
      // A call is counted and listed once, when first seen; later reports update its line.
      if (firstSight) {
        digest.toolCounts[event.toolKind] = (digest.toolCounts[event.toolKind] ?? 0) + 1;
        remember(digest, { at: event.at, kind: 'tool', summary: describeTool(event), callId: event.callId });
      } else {
        const line = digest.recent.find((b) => b.callId === event.callId);
        if (line) line.summary = describeTool(event);
      }
      if (event.path && event.status !== 'error') {
        if (event.toolKind === 'read') addUnique(digest.filesRead, event.path);
        else if (event.toolKind === 'edit' && finished) addUnique(digest.filesEdited, event.path);
        else if (event.toolKind === 'write' && finished) addUnique(digest.filesWritten, event.path);
      }
      if (event.toolKind === 'command' && event.command !== undefined) recordCommand(digest, event);
      // Work after a completion signal means the signal was not the end.
      if (!finished) digest.completionSeen = false;
      return;
    }
    case 'text':
      delete digest.retrying;
      digest.finalMessage = clip(event.text.trim(), FINAL_MESSAGE_LIMIT);
      remember(digest, { at: event.at, kind: 'text', summary: clip(event.text.trim().replace(/\s+/g, ' '), 160) });
      return;
    case 'step':
      digest.lastStepReason = event.reason;
      delete digest.retrying;
      if (event.tokens) {
        digest.tokens.input += event.tokens.input;
        digest.tokens.output += event.tokens.output;
        if (event.tokens.reasoning) digest.tokens.reasoning = (digest.tokens.reasoning ?? 0) + event.tokens.reasoning;
        if (event.tokens.cacheRead) digest.tokens.cacheRead = (digest.tokens.cacheRead ?? 0) + event.tokens.cacheRead;
        if (event.tokens.cacheWrite) digest.tokens.cacheWrite = (digest.tokens.cacheWrite ?? 0) + event.tokens.cacheWrite;
      }
      if (event.cost) digest.cost += event.cost;
      return;
    case 'completion':
      digest.completionSeen = true;
      if (event.message && !digest.finalMessage) digest.finalMessage = clip(event.message, FINAL_MESSAGE_LIMIT);
      remember(digest, { at: event.at, kind: 'completion', summary: event.message ? clip(event.message, 160) : 'completion signal' });
      return;
    case 'retry': {
      digest.retrying = {
        attempt: event.attempt,
        ...(event.maxAttempts !== undefined && { maxAttempts: event.maxAttempts }),
        ...(event.status !== undefined && { status: event.status }),
        ...(event.message !== undefined && { message: clip(event.message, 300) }),
        ...(event.at !== undefined && { at: event.at }),
      };
      remember(digest, { at: event.at, kind: 'retry', summary: describeRetry(event) });
      return;
    }
    case 'denied':
      if (digest.denials.length < ERROR_LIMIT) digest.denials.push({ tool: event.tool, ...(event.detail !== undefined && { detail: clip(event.detail, 200) }) });
      remember(digest, { at: event.at, kind: 'denied', summary: clip(`permission denied: ${event.tool}${event.detail ? ` ${event.detail}` : ''}`, 160) });
      return;
    case 'error': {
      const same = digest.errors.find((e) => e.message === event.message && e.status === event.status);
      if (same) {
        same.count += 1;
        same.at = event.at;
      } else if (digest.errors.length < ERROR_LIMIT) {
        digest.errors.push({ message: clip(event.message, 500), api: event.api, status: event.status, count: 1, at: event.at });
      }
      remember(digest, { at: event.at, kind: 'error', summary: clip(event.message.replace(/\s+/g, ' '), 160) });
      return;
    }
  }
}

function tallyUnparsed(digest: RunDigest, event: Extract<RunEvent, { kind: 'unparsed' }>): void {
  const field = event.cause === 'exception' ? 'parseErrors' : 'unparsedLines';
  const tally = digest[field];
  if (tally) tally.count += 1;
  else digest[field] = { count: 1, firstLine: event.line, firstMessage: event.message };
}

function recordCommand(digest: RunDigest, event: Extract<RunEvent, { kind: 'tool' }>): void {
  const command = event.command ?? '';
  // Update the latest unfinished record of the same command rather than adding a duplicate.
  for (let i = digest.commands.length - 1; i >= 0; i--) {
    const record = digest.commands[i]!;
    if (record.command === command && (record.status === 'pending' || record.status === 'running')) {
      record.status = event.status;
      if (event.exitCode !== undefined) record.exitCode = event.exitCode;
      return;
    }
  }
  digest.commands.push({
    command,
    status: event.status,
    ...(event.exitCode !== undefined && { exitCode: event.exitCode }),
    ...(event.at !== undefined && { at: event.at }),
  });
  if (digest.commands.length > COMMAND_LIMIT) digest.commands.shift();
}

/**
 * Files the run changed: after it ended, what its baseline diff found on disk; before, the files its
 * edit and write tools reported. With `dir`, those inside it are given relative to it.
 */
export function filesChanged(digest: RunDigest, dir?: string): string[] {
  const all = digest.filesOnDisk ?? [...new Set([...digest.filesEdited, ...digest.filesWritten])];
  return dir === undefined ? all : [...new Set(all.map((file) => relativeToDir(dir, file)))];
}

function relativeToDir(dir: string, file: string): string {
  if (!isAbsolute(file)) return file;
  const rel = relative(dir, file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}
