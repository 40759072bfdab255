import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { SessionFacts, UnfinishedTool } from './types.js';

/** Where opencode keeps its sessions (oh-my-opencode runs on opencode, so both share it). */
export function opencodeDatabasePath(env: NodeJS.ProcessEnv): string {
  if (env.OPENCODE_DB) return env.OPENCODE_DB;
  const dataHome = env.XDG_DATA_HOME || join(env.HOME || homedir(), '.local', 'share');
  return join(dataHome, 'opencode', 'opencode.db');
}

interface ToolPart {
  type?: string;
  tool?: string;
  state?: {
    status?: string;
    input?: { filePath?: string; path?: string; command?: string };
    metadata?: { exit?: number | null };
  };
}

/**
 * Reads the session's tool calls straight from opencode's SQLite store, read-only. The log cannot
 * tell everything: opencode prints a tool only once it finished (a cut-off call never shows) and
 * oh-my-opencode never prints a command's exit code. `opencode export` has the same facts but takes
 * over a second to start, which would delay every run's verdict.
 */
export function readOpencodeSession(sessionId: string, env: NodeJS.ProcessEnv): SessionFacts | null {
  const path = opencodeDatabasePath(env);
  if (!existsSync(path)) return null;
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 2000');
    const rows = db
      .prepare(`SELECT data FROM part WHERE session_id = ? AND data LIKE '%"type":"tool"%' ORDER BY time_created, id`)
      .all(sessionId) as { data: string }[];
    const facts: SessionFacts = { unfinishedTools: [], commands: [], errors: readMessageErrors(db, sessionId) };
    for (const row of rows) {
      let part: ToolPart;
      try {
        part = JSON.parse(row.data) as ToolPart;
      } catch {
        continue;
      }
      if (part.type !== 'tool') continue;
      const status = part.state?.status ?? 'unknown';
      const input = part.state?.input ?? {};
      if (part.tool === 'bash' && typeof input.command === 'string') {
        const exit = part.state?.metadata?.exit;
        facts.commands.push({
          command: input.command,
          status: status === 'completed' || status === 'error' || status === 'running' || status === 'pending' ? status : 'completed',
          ...(typeof exit === 'number' && { exitCode: exit }),
        });
      }
      if (status !== 'pending' && status !== 'running') continue;
      const filePath = input.filePath ?? input.path;
      const unfinished: UnfinishedTool = { tool: part.tool ?? 'tool', status };
      if (filePath !== undefined) unfinished.path = filePath;
      if (input.command !== undefined) unfinished.command = input.command;
      facts.unfinishedTools.push(unfinished);
    }
    return facts;
  } catch {
    // The schema is opencode's, not ours: if it changed, say "unknown" rather than guess.
    return null;
  } finally {
    db?.close();
  }
}

interface MessageError {
  error?: { name?: string; data?: { message?: string; statusCode?: number } };
}

function readMessageErrors(db: Database.Database, sessionId: string): SessionFacts['errors'] {
  const rows = db
    .prepare(`SELECT data FROM message WHERE session_id = ? AND data LIKE '%"error"%' ORDER BY time_created, id`)
    .all(sessionId) as { data: string }[];
  const errors: SessionFacts['errors'] = [];
  for (const row of rows) {
    let message: MessageError;
    try {
      message = JSON.parse(row.data) as MessageError;
    } catch {
      continue;
    }
    const error = message.error;
    if (!error?.data?.message) continue;
    const status = error.data.statusCode;
    errors.push({
      message: error.data.message,
      api: error.name === 'APIError' || typeof status === 'number',
      ...(typeof status === 'number' && { status }),
    });
  }
  return errors;
}
