import { openStoreDatabase, type Db } from './db.js';
import { describeStoreFault, isStoreFault, readOnlyStoreError } from './faults.js';
import { databasePath } from './paths.js';
import { RunStore } from './runs.js';
import { PlanStore } from './plans.js';

export type { RunRecord, RunState, NewRun, RunPatch, ListFilter } from './runs.js';
export { RUN_STATES, ACTIVE_STATES, isActive } from './runs.js';
export { batonHome, runDirectory } from './paths.js';
export { describeStoreFault, isStoreFault } from './faults.js';

/** The one state store: every table Baton keeps, behind typed accessors. */
export interface Store {
  db: Db;
  runs: RunStore;
  plans: PlanStore;
  /** Why the store is open read-only (a read-only mount, no write permission), or null. */
  readOnly: string | null;
  /** Throws the read-only store's error before a command starts changing anything. */
  assertWritable(): void;
  close(): void;
}

export function openStore(home: string): Store {
  const path = databasePath(home);
  const opened = openStoreDatabase(path);
  const close = () => {
    opened.db.close();
    opened.cleanup();
  };
  if (!opened.readOnly) {
    return { db: opened.db, runs: new RunStore(opened.db), plans: new PlanStore(opened.db), readOnly: null, assertWritable: () => undefined, close };
  }
  const refuse = () => {
    throw readOnlyStoreError(path, opened.readOnly!);
  };
  return {
    db: opened.db,
    runs: readOnlyView(new RunStore(opened.db), RUN_WRITES, refuse),
    plans: readOnlyView(new PlanStore(opened.db), PLAN_WRITES, refuse),
    readOnly: opened.readOnly,
    assertWritable: refuse,
    close,
  };
}

const RUN_WRITES = new Set(['insert', 'update', 'updateIfState']);
const PLAN_WRITES = new Set(['insertPlanRun', 'updatePlanRun', 'updatePhase']);
/** Fields a reader writes when it settles a record whose process is gone (a dead supervisor or driver). */
const SETTLING_FIELDS = new Set(['state', 'reasons', 'endedAt']);

/**
 * A store that cannot be written still serves every reading command. A reader that settles a run whose
 * supervisor is gone computes the answer and shows it; on a read-only store that write is skipped
 * rather than failing the read. Any other write (a new run, a kill request) is refused, naming the store.
 */
function readOnlyView<T extends object>(target: T, writes: Set<string>, refuse: () => never): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      const value = Reflect.get(object, property, receiver);
      if (typeof property !== 'string' || !writes.has(property) || typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const patch = args.at(-1);
        const settling = typeof patch === 'object' && patch !== null && Object.keys(patch).every((key) => SETTLING_FIELDS.has(key));
        if (property !== 'insert' && property !== 'insertPlanRun' && settling) return false;
        return refuse();
      };
    },
  });
}

/** A store fault met while a command ran (a full disk during `baton run`), explained; any other error as it is. */
export function explainStoreFault(error: unknown, home: string): unknown {
  return isStoreFault(error) ? describeStoreFault(error, databasePath(home)) : error;
}
