import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { UnfinishedTool } from './types.js';

/** Where opencode keeps its sessions (oh-my-opencode runs on opencode, so both share it). */
export function opencodeDatabasePath(env: NodeJS.ProcessEnv): string {
  if (env.OPENCODE_DB) return env.OPENCODE_DB;
  const dataHome = env.XDG_DATA_HOME || join(env.HOME || homedir(), '.local', 'share');
  return join(dataHome, 'opencode', 'opencode.db');
}

interface ToolPart {
  type?: string;
  tool?: string;
  state?: { status?: string; input?: { filePath?: string; path?: string; command?: string } };
}

/**
 * Reads the session's tool parts straight from opencode's SQLite store, read-only. `opencode export`
 * gives the same facts but takes over a second to start, which would delay every run's verdict.
 */
export function findUnfinishedOpencodeTools(sessionId: string, env: NodeJS.ProcessEnv): UnfinishedTool[] | null {
  const path = opencodeDatabasePath(env);
  if (!existsSync(path)) return null;
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 2000');
    const rows = db
      .prepare(`SELECT data FROM part WHERE session_id = ? AND data LIKE '%"type":"tool"%'`)
      .all(sessionId) as { data: string }[];
    const unfinished: UnfinishedTool[] = [];
    for (const row of rows) {
      let part: ToolPart;
      try {
        part = JSON.parse(row.data) as ToolPart;
      } catch {
        continue;
      }
      const status = part.state?.status;
      if (part.type !== 'tool' || (status !== 'pending' && status !== 'running')) continue;
      const input = part.state?.input ?? {};
      const path = input.filePath ?? input.path;
      unfinished.push({
        tool: part.tool ?? 'tool',
        status,
        ...(path !== undefined && { path }),
        ...(input.command !== undefined && { command: input.command }),
      });
    }
    return unfinished;
  } catch {
    // The schema is opencode's, not ours: if it changed, say "unknown" rather than guess.
    return null;
  } finally {
    db?.close();
  }
}
