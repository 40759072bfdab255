import Database from 'better-sqlite3';
import { join } from 'node:path';
import { processFacts } from '../processes/index.js';
import { isHostProcess } from './host-identity.js';

/**
 * Makes this process the one supervisor host of `home`, unless a live one already is. SQLite's write
 * lock makes the check and the take-over one step, so two hosts started at once end with one, and a
 * dead host's leftover row is taken over instead of blocking for ever. Returns the release, or null.
 */
export function claimHostLock(home: string): (() => void) | null {
  const db = new Database(join(home, 'supervisor-host.db'), { timeout: 10_000 });
  db.exec('CREATE TABLE IF NOT EXISTS host (id INTEGER PRIMARY KEY CHECK (id = 1), pid INTEGER NOT NULL, start_ticks TEXT NOT NULL)');
  const mine = processFacts().startToken(process.pid) ?? '';
  const won = db
    .transaction(() => {
      const row = db.prepare('SELECT pid, start_ticks AS startTicks FROM host WHERE id = 1').get() as { pid: number; startTicks: string } | undefined;
      if (row && row.pid !== process.pid && isHostProcess(row.pid, home, row.startTicks)) return false;
      db.prepare('INSERT OR REPLACE INTO host (id, pid, start_ticks) VALUES (1, ?, ?)').run(process.pid, mine);
      return true;
    })
    .immediate();
  if (!won) {
    db.close();
    return null;
  }
  return () => {
    db.prepare('DELETE FROM host WHERE id = 1 AND pid = ?').run(process.pid);
    db.close();
  };
}
