import Database from 'better-sqlite3';
import { join } from 'node:path';

/** The process that holds a home's supervisor-host lock. */
export interface HostHolder {
  pid: number;
  startTicks: string;
}

/**
 * Writes `mine` as the holder of `home`'s supervisor-host lock (`supervisor-host.db`), unless
 * `holderLives` says the recorded holder is still a live host. SQLite's write lock makes the check and
 * the take-over one step. Returns the release, or null when a live holder keeps it.
 */
export function claimHostRow(home: string, mine: HostHolder, holderLives: (holder: HostHolder) => boolean): (() => void) | null {
  const db = new Database(join(home, 'supervisor-host.db'), { timeout: 10_000 });
  db.exec('CREATE TABLE IF NOT EXISTS host (id INTEGER PRIMARY KEY CHECK (id = 1), pid INTEGER NOT NULL, start_ticks TEXT NOT NULL)');
  const won = db
    .transaction(() => {
      const row = db.prepare('SELECT pid, start_ticks AS startTicks FROM host WHERE id = 1').get() as HostHolder | undefined;
      if (row && holderLives(row)) return false;
      db.prepare('INSERT OR REPLACE INTO host (id, pid, start_ticks) VALUES (1, ?, ?)').run(mine.pid, mine.startTicks);
      return true;
    })
    .immediate();
  if (!won) {
    db.close();
    return null;
  }
  return () => {
    db.prepare('DELETE FROM host WHERE id = 1 AND pid = ?').run(mine.pid);
    db.close();
  };
}
