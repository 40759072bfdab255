import type Database from 'better-sqlite3';
import type { Db } from './db.js';
import type { Plan } from '../plans/schema.js';
import type { DirtySnapshot } from '../plans/git-state.js';

export const PLAN_STATES = ['running', 'completed', 'blocked', 'stopped', 'failed'] as const;
export type PlanState = (typeof PLAN_STATES)[number];
/**
 * `merge-queued`: verified in its worktree, waiting its turn in the merge queue; `merging`: being
 * replayed onto the plan's branch (parallel plans only).
 */
export const PHASE_STATES = ['pending', 'running', 'waiting', 'verifying', 'committing', 'merge-queued', 'merging', 'committed', 'blocked', 'skipped'] as const;
export type PhaseState = (typeof PHASE_STATES)[number];

export interface PlanRunRecord {
  id: string;
  planFile: string;
  project: string;
  dir: string;
  repoRoot: string;
  state: PlanState;
  reasons: string[];
  plan: Plan;
  driverPid: number | null;
  stopRequestedAt: number | null;
  /** Commands (argv) run when the plan completes or blocks, with its status JSON on stdin. */
  hooks: { onComplete?: string[]; onBlocked?: string[] };
  /** The caller opted out of the one-plan-per-repository lock. */
  noLock: boolean;
  /** The branch checked out when the plan started: phases are committed onto it (null: detached HEAD). */
  branch: string | null;
  /** Phases that may run at once (the plan's maxParallel, or plan run --max-parallel). */
  maxParallel: number;
  /** Phases run on this machine: started with --local, or with no cluster configured (read from the store: always set). */
  local?: boolean;
  createdAt: number;
  endedAt: number | null;
  updatedAt: number;
}

/** One agent run made for a phase, and why. */
export interface PhaseAttempt {
  runId: string;
  /**
   * `relaunch`: a fresh session, since the previous run left none to continue. `redispatch`: a fresh
   * session on another cluster worker, since the one holding the session was lost (see `note`).
   */
  kind: 'launch' | 'resume' | 'fix' | 'limit' | 'relaunch' | 'redispatch';
  state?: string;
  /** Made because Baton's own supervisor died during the previous run: not the agent's failure. */
  afterCrash?: true;
  /** Why this attempt was made the way it was, in words for the phase's history (e.g. which worker was lost, when). */
  note?: string;
}

/** A phase's own git worktree (parallel plans): a folder Baton owns, on a branch only Baton uses. */
export interface PhaseWorktree {
  path: string;
  /** `baton/<plan-run>/<phase>`. */
  branch: string;
  /** The plan branch's commit the worktree was made from (moves when a conflict is resolved). */
  base: string;
  /** `.worktreeinclude` copied and setup run: the agent may start. */
  prepared: boolean;
}

/** A phase's replay onto the plan branch, recorded before the branch moves so a crash can finish it. */
export interface PhaseMerge {
  /** The commit that will become (or has become) the plan branch's tip. */
  commit: string;
  /** The plan branch's tip it was made on. */
  parent: string;
  paths: string[];
}

export interface VerificationResult {
  passed: boolean;
  command?: string;
  exitCode?: number | null;
  /** The tail of the failing command's output. */
  output?: string;
  at: number;
}

export interface PhaseRecord {
  planRunId: string;
  phaseId: string;
  position: number;
  title: string;
  state: PhaseState;
  reasons: string[];
  attempts: PhaseAttempt[];
  resumes: number;
  fixes: number;
  currentRunId: string | null;
  baseTree: string | null;
  userDirty: DirtySnapshot | null;
  verification: VerificationResult | null;
  commitSha: string | null;
  committedPaths: string[] | null;
  worktree: PhaseWorktree | null;
  merge: PhaseMerge | null;
  startedAt: number | null;
  endedAt: number | null;
  updatedAt: number;
}

const PLAN_COLUMNS: Record<keyof PlanRunRecord, string> = {
  id: 'id', planFile: 'plan_file', project: 'project', dir: 'dir', repoRoot: 'repo_root', state: 'state', reasons: 'reasons',
  plan: 'plan', driverPid: 'driver_pid', stopRequestedAt: 'stop_requested_at', hooks: 'hooks', noLock: 'no_lock', branch: 'branch', maxParallel: 'max_parallel', local: 'local', createdAt: 'created_at', endedAt: 'ended_at', updatedAt: 'updated_at',
};
const PHASE_COLUMNS: Record<keyof PhaseRecord, string> = {
  planRunId: 'plan_run_id', phaseId: 'phase_id', position: 'position', title: 'title', state: 'state', reasons: 'reasons',
  attempts: 'attempts', resumes: 'resumes', fixes: 'fixes', currentRunId: 'current_run_id', baseTree: 'base_tree',
  userDirty: 'user_dirty', verification: 'verification', commitSha: 'commit_sha', committedPaths: 'committed_paths', worktree: 'worktree', merge: 'merge',
  startedAt: 'started_at', endedAt: 'ended_at', updatedAt: 'updated_at',
};
const BOOLEAN_FIELDS = new Set(['noLock', 'local']);
const JSON_FIELDS = new Set(['reasons', 'plan', 'attempts', 'userDirty', 'verification', 'committedPaths', 'hooks', 'worktree', 'merge']);

function toRow<T extends object>(columns: Record<string, string>, record: Partial<T>): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (value === undefined || !(key in columns)) continue;
    row[columns[key]!] = JSON_FIELDS.has(key) ? (value === null ? null : JSON.stringify(value)) : typeof value === 'boolean' ? (value ? 1 : 0) : value;
  }
  return row;
}

function fromRow<T>(columns: Record<string, string>, row: Record<string, unknown>): T {
  const record: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(columns)) {
    const value = row[column];
    record[key] = JSON_FIELDS.has(key) && typeof value === 'string' ? JSON.parse(value) : BOOLEAN_FIELDS.has(key) ? value === 1 : value ?? null;
  }
  return record as T;
}

/** Plans saved before needs and maxParallel existed read as serial plans without needs. */
function planRunFromRow(row: Record<string, unknown>): PlanRunRecord {
  const record = fromRow<PlanRunRecord>(PLAN_COLUMNS, row);
  record.plan.maxParallel ??= 1;
  for (const phase of record.plan.phases) phase.needs ??= [];
  return record;
}

/** A committed phase and how long it took, with its prompt from the plan saved with its run. */
export interface CommittedPhase {
  planRunId: string;
  phaseId: string;
  title: string;
  startedAt: number;
  endedAt: number;
  /** Null when the saved plan has no prompt for it, or cannot be read. */
  prompt: string | null;
}

/** All SQL about plans lives here. */
export class PlanStore {
  constructor(readonly db: Db) {}

  private run(sql: string, values: unknown[]): Database.RunResult {
    return this.db.prepare<unknown[]>(sql).run(...values);
  }

  insertPlanRun(record: Omit<PlanRunRecord, 'updatedAt'>, phases: Omit<PhaseRecord, 'updatedAt'>[]): void {
    this.db.transaction(() => {
      for (const [table, columns, value] of [
        ['plan_runs', PLAN_COLUMNS, { ...record, updatedAt: Date.now() }] as const,
        ...phases.map((phase) => ['plan_phases', PHASE_COLUMNS, { ...phase, updatedAt: Date.now() }] as const),
      ]) {
        const row = toRow(columns as Record<string, string>, value as object);
        const keys = Object.keys(row);
        this.run(`INSERT INTO ${table} (${keys.join(', ')}) VALUES (${keys.map(() => '?').join(', ')})`, keys.map((k) => row[k]));
      }
    })();
  }

  updatePlanRun(id: string, patch: Partial<Omit<PlanRunRecord, 'id'>>): void {
    const row = toRow(PLAN_COLUMNS, { ...patch, updatedAt: Date.now() });
    const keys = Object.keys(row);
    this.run(`UPDATE plan_runs SET ${keys.map((k) => `${k} = ?`).join(', ')} WHERE id = ?`, [...keys.map((k) => row[k]), id]);
  }

  updatePhase(planRunId: string, phaseId: string, patch: Partial<Omit<PhaseRecord, 'planRunId' | 'phaseId'>>): void {
    const row = toRow(PHASE_COLUMNS, { ...patch, updatedAt: Date.now() });
    const keys = Object.keys(row);
    this.run(`UPDATE plan_phases SET ${keys.map((k) => `${k} = ?`).join(', ')} WHERE plan_run_id = ? AND phase_id = ?`, [...keys.map((k) => row[k]), planRunId, phaseId]);
  }

  getPlanRun(id: string): PlanRunRecord | undefined {
    const row = this.db.prepare('SELECT * FROM plan_runs WHERE id = ?').get(id) as Record<string, unknown> | undefined;
    return row ? planRunFromRow(row) : undefined;
  }

  planRunIdsWithPrefix(prefix: string): string[] {
    const escaped = prefix.replace(/[\\%_]/g, (c) => `\\${c}`);
    return (this.db.prepare("SELECT id FROM plan_runs WHERE id LIKE ? ESCAPE '\\' ORDER BY created_at DESC LIMIT 10").all(`${escaped}%`) as { id: string }[]).map((r) => r.id);
  }

  latestPlanRun(): PlanRunRecord | undefined {
    const row = this.db.prepare('SELECT * FROM plan_runs ORDER BY created_at DESC, rowid DESC LIMIT 1').get() as Record<string, unknown> | undefined;
    return row ? planRunFromRow(row) : undefined;
  }

  /** Plan runs newest first, a page at a time. */
  listPlanRuns(options: { offset?: number; limit?: number } = {}): { total: number; records: PlanRunRecord[] } {
    const total = (this.db.prepare('SELECT COUNT(*) AS n FROM plan_runs').get() as { n: number }).n;
    const rows = this.db.prepare('SELECT * FROM plan_runs ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?').all(options.limit ?? 20, options.offset ?? 0) as Record<string, unknown>[];
    return { total, records: rows.map((row) => planRunFromRow(row)) };
  }

  /** Ids of plan runs whose record or any phase changed at or after `since` (ms). */
  changedSince(since: number, limit = 200): { id: string; updatedAt: number }[] {
    return this.db
      .prepare(
        `SELECT id, MAX(updated_at) AS updatedAt FROM (
           SELECT id, updated_at FROM plan_runs WHERE updated_at >= ?
           UNION ALL SELECT plan_run_id AS id, updated_at FROM plan_phases WHERE updated_at >= ?
         ) GROUP BY id ORDER BY updatedAt LIMIT ?`,
      )
      .all(since, since, limit) as { id: string; updatedAt: number }[];
  }

  /** The most recent `limit` committed phases with a duration, newest first. */
  committedPhases(limit = 200): CommittedPhase[] {
    const rows = this.db
      .prepare(
        `SELECT p.plan_run_id, p.phase_id, p.title, p.started_at, p.ended_at, r.plan
         FROM plan_phases p JOIN plan_runs r ON r.id = p.plan_run_id
         WHERE p.state = 'committed' AND p.started_at IS NOT NULL AND p.ended_at IS NOT NULL AND p.ended_at >= p.started_at
         ORDER BY p.ended_at DESC LIMIT ?`,
      )
      .all(limit) as { plan_run_id: string; phase_id: string; title: string; started_at: number; ended_at: number; plan: string }[];
    const prompts = new Map<string, Map<string, string>>();
    return rows.map((row) => {
      let byPhase = prompts.get(row.plan_run_id);
      if (!byPhase) {
        byPhase = new Map();
        try {
          const plan = JSON.parse(row.plan) as { phases?: { id?: unknown; prompt?: unknown }[] };
          for (const phase of plan.phases ?? []) if (typeof phase.prompt === 'string') byPhase.set(String(phase.id), phase.prompt);
        } catch {
          // A damaged plan leaves the phase without a prompt.
        }
        prompts.set(row.plan_run_id, byPhase);
      }
      return { planRunId: row.plan_run_id, phaseId: row.phase_id, title: row.title, startedAt: row.started_at, endedAt: row.ended_at, prompt: byPhase.get(row.phase_id) ?? null };
    });
  }

  phases(planRunId: string): PhaseRecord[] {
    const rows = this.db.prepare('SELECT * FROM plan_phases WHERE plan_run_id = ? ORDER BY position').all(planRunId) as Record<string, unknown>[];
    return rows.map((row) => fromRow<PhaseRecord>(PHASE_COLUMNS, row));
  }
}
