import { openDatabase, type Db } from './db.js';
import { databasePath } from './paths.js';
import { RunStore } from './runs.js';
import { PlanStore } from './plans.js';

export type { RunRecord, RunState, NewRun, RunPatch, ListFilter } from './runs.js';
export { RUN_STATES, ACTIVE_STATES, isActive } from './runs.js';
export { batonHome, runDirectory } from './paths.js';

/** The one state store: every table Baton keeps, behind typed accessors. */
export interface Store {
  db: Db;
  runs: RunStore;
  plans: PlanStore;
  close(): void;
}

export function openStore(home: string): Store {
  const db = openDatabase(databasePath(home));
  return { db, runs: new RunStore(db), plans: new PlanStore(db), close: () => db.close() };
}
