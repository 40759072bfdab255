import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Where Baton keeps its database and logs: $BATON_HOME, else ~/.local/state/baton. XDG_STATE_HOME is
 * deliberately not consulted: agents get their own XDG dirs, and the store must not move with them.
 */
export function batonHome(env: NodeJS.ProcessEnv): string {
  if (env.BATON_HOME) return resolve(env.BATON_HOME);
  return join(env.HOME || homedir(), '.local', 'state', 'baton');
}

export function databasePath(home: string): string {
  return join(home, 'baton.db');
}

export function runDirectory(home: string, runId: string): string {
  return join(home, 'runs', runId);
}
