import type Database from 'better-sqlite3';
import type { Db } from './db.js';
import { emptyDigest, type RunDigest } from '../digest.js';
import type { RunnerName, RunnerOptions } from '../runners/types.js';
import type { Baseline } from '../baseline/types.js';
import type { Reason } from '../reasons.js';

export const RUN_STATES = ['queued', 'running', 'stalled', 'completed', 'incomplete', 'limited', 'failed', 'killed'] as const;
export type RunState = (typeof RUN_STATES)[number];
/** States whose agent holds one of the machine's slots (alive, or about to start). */
export const SLOT_STATES: readonly RunState[] = ['running', 'stalled'];
/** States of a run that has not ended: waiting for a slot, or holding one. */
export const ACTIVE_STATES: readonly RunState[] = ['queued', ...SLOT_STATES];
/** Every state a run can end in, derived so that a new end state is never left out of a query. */
export const ENDED_STATES: readonly RunState[] = RUN_STATES.filter((state) => !ACTIVE_STATES.includes(state));
/** Ended short of done: a session in one of these can be continued with a follow-up. */
export const RESUMABLE_STATES: readonly RunState[] = ENDED_STATES.filter((state) => state !== 'completed');

export function isActive(state: RunState): boolean {
  return ACTIVE_STATES.includes(state);
}

/** What Baton enforces on a run beyond the agent's own settings, set at launch. */
export interface RunGuards {
  /** Start even while a usage limit hit by another run of the same runner and provider holds (--ignore-limit-breaker). */
  ignoreLimitBreaker?: boolean;
  /** USD: once the cost the runner reports passes it, the run is ended `failed` (--max-cost). */
  maxCost?: number;
  /**
   * Queued on behalf of this process (a cluster worker): should it be gone before the run leaves the
   * queue, the run fails and nothing starts, since nobody would report its result.
   */
  heldFor?: ProcessRef;
}

/** One process, told apart from a later one that reuses its pid by its start token. */
export interface ProcessRef {
  pid: number;
  startToken: string | null;
}

/** A usage limit that holds new runs of a runner and provider until it lifts. */
export interface LimitBreaker {
  runId: string;
  runner: string;
  model: string | null;
  resetAt: number;
}

/** When the provider does not say when its limit lifts, queued runs of it wait this long after the limited run ended. */
export const DEFAULT_BREAKER_MS = 5 * 60_000;

/** "openai" of "openai/gpt-5": runs of one provider share its usage limits. Null when the model is not known. */
export function providerOf(model: string | null): string | null {
  if (!model) return null;
  const slash = model.indexOf('/');
  return slash > 0 ? model.slice(0, slash) : model;
}

export interface RunRecord {
  id: string;
  name: string | null;
  runner: RunnerName;
  agent: string | null;
  model: string | null;
  dir: string;
  prompt: string;
  promptFile: string | null;
  parentId: string | null;
  executor: string;
  host: string | null;
  pid: number | null;
  pgid: number | null;
  /** The agent's start token at launch: proves `pid` is still the agent (see src/processes). */
  agentStart: string | null;
  supervisorPid: number | null;
  sessionId: string | null;
  state: RunState;
  reasons: string[];
  /** The same reasons as data, in the same order; empty on runs recorded before Baton kept them. */
  reasonDetails: Reason[];
  exitCode: number | null;
  /** For `limited` runs: when the provider's usage limit lifts (null when it did not say). */
  limitResetAt: number | null;
  signal: string | null;
  killRequestedAt: number | null;
  createdAt: number;
  startedAt: number | null;
  endedAt: number | null;
  stallAfterMs: number;
  timeoutMs: number | null;
  logPath: string;
  outputBytes: number;
  outputLines: number;
  parsedOffset: number;
  lastOutputAt: number | null;
  lastActivityAt: number | null;
  digest: RunDigest;
  finalMessage: string | null;
  baseline: Baseline | null;
  /** Where the agent keeps its sessions (XDG dirs, config path): needed to resume or export from another shell. Never secrets. */
  sessionEnv: Record<string, string>;
  /** Runner-specific settings (see RunnerAdapter.checkOptions). */
  runnerOptions: RunnerOptions;
  guards: RunGuards;
  /** Where a cluster run's code and agent are (remote, base, worker); null for runs on this machine. */
  placement: RunPlacement | null;
  updatedAt: number;
}

/** A run dispatched through the cluster queue (src/cluster): the code's remote and base, and the worker once one took it. */
export interface RunPlacement {
  remote: string;
  base: string;
  worker: string | null;
  workerHost: string | null;
}

interface RunRow {
  id: string;
  name: string | null;
  runner: string;
  agent: string | null;
  model: string | null;
  dir: string;
  prompt: string;
  prompt_file: string | null;
  parent_id: string | null;
  executor: string;
  host: string | null;
  pid: number | null;
  pgid: number | null;
  agent_start: string | null;
  supervisor_pid: number | null;
  session_id: string | null;
  state: string;
  reasons: string;
  reason_details: string | null;
  exit_code: number | null;
  limit_reset_at: number | null;
  signal: string | null;
  kill_requested_at: number | null;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
  stall_after_ms: number;
  timeout_ms: number | null;
  log_path: string;
  output_bytes: number;
  output_lines: number;
  parsed_offset: number;
  last_output_at: number | null;
  last_activity_at: number | null;
  digest: string;
  final_message: string | null;
  baseline: string | null;
  session_env: string;
  runner_options: string;
  guards: string;
  placement: string | null;
  updated_at: number;
}

function fromRow(row: RunRow): RunRecord {
  return {
    id: row.id,
    name: row.name,
    runner: row.runner as RunnerName,
    agent: row.agent,
    model: row.model,
    dir: row.dir,
    prompt: row.prompt,
    promptFile: row.prompt_file,
    parentId: row.parent_id,
    executor: row.executor,
    host: row.host,
    pid: row.pid,
    pgid: row.pgid,
    agentStart: row.agent_start,
    supervisorPid: row.supervisor_pid,
    sessionId: row.session_id,
    state: row.state as RunState,
    reasons: JSON.parse(row.reasons) as string[],
    reasonDetails: row.reason_details ? (JSON.parse(row.reason_details) as Reason[]) : [],
    exitCode: row.exit_code,
    limitResetAt: row.limit_reset_at,
    signal: row.signal,
    killRequestedAt: row.kill_requested_at,
    createdAt: row.created_at,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    stallAfterMs: row.stall_after_ms,
    timeoutMs: row.timeout_ms,
    logPath: row.log_path,
    outputBytes: row.output_bytes,
    outputLines: row.output_lines,
    parsedOffset: row.parsed_offset,
    lastOutputAt: row.last_output_at,
    lastActivityAt: row.last_activity_at,
    digest: { ...emptyDigest(), ...(JSON.parse(row.digest) as Partial<RunDigest>) },
    finalMessage: row.final_message,
    baseline: row.baseline ? (JSON.parse(row.baseline) as Baseline) : null,
    sessionEnv: JSON.parse(row.session_env) as Record<string, string>,
    guards: JSON.parse(row.guards ?? '{}') as RunGuards,
    runnerOptions: JSON.parse(row.runner_options) as RunnerOptions,
    placement: row.placement ? (JSON.parse(row.placement) as RunPlacement) : null,
    updatedAt: row.updated_at,
  };
}

const COLUMN_OF: Record<keyof RunRecord, string> = {
  id: 'id',
  name: 'name',
  runner: 'runner',
  agent: 'agent',
  model: 'model',
  dir: 'dir',
  prompt: 'prompt',
  promptFile: 'prompt_file',
  parentId: 'parent_id',
  executor: 'executor',
  host: 'host',
  pid: 'pid',
  pgid: 'pgid',
  agentStart: 'agent_start',
  supervisorPid: 'supervisor_pid',
  sessionId: 'session_id',
  state: 'state',
  reasons: 'reasons',
  reasonDetails: 'reason_details',
  exitCode: 'exit_code',
  limitResetAt: 'limit_reset_at',
  signal: 'signal',
  killRequestedAt: 'kill_requested_at',
  createdAt: 'created_at',
  startedAt: 'started_at',
  endedAt: 'ended_at',
  stallAfterMs: 'stall_after_ms',
  timeoutMs: 'timeout_ms',
  logPath: 'log_path',
  outputBytes: 'output_bytes',
  outputLines: 'output_lines',
  parsedOffset: 'parsed_offset',
  lastOutputAt: 'last_output_at',
  lastActivityAt: 'last_activity_at',
  digest: 'digest',
  finalMessage: 'final_message',
  baseline: 'baseline',
  sessionEnv: 'session_env',
  runnerOptions: 'runner_options',
  guards: 'guards',
  placement: 'placement',
  updatedAt: 'updated_at',
};

const JSON_FIELDS = new Set<keyof RunRecord>(['reasons', 'reasonDetails', 'digest', 'baseline', 'sessionEnv', 'runnerOptions', 'guards', 'placement']);

function toColumnValue(key: keyof RunRecord, value: unknown): unknown {
  if (JSON_FIELDS.has(key)) return value === null ? null : JSON.stringify(value);
  return value;
}

/** The agent's start token is only known once it runs. */
export type NewRun = Omit<RunRecord, 'updatedAt' | 'agentStart' | 'reasonDetails' | 'guards' | 'placement'> & { agentStart?: string | null; reasonDetails?: Reason[]; guards?: RunGuards; placement?: RunPlacement | null };
export type RunPatch = Partial<Omit<RunRecord, 'id' | 'createdAt'>>;

export interface ListFilter {
  states?: RunState[];
  dir?: string;
  limit?: number;
  offset?: number;
}

function whereOf(filter: Pick<ListFilter, 'states' | 'dir'>): { where: string; values: unknown[] } {
  const clauses: string[] = [];
  const values: unknown[] = [];
  if (filter.states && filter.states.length > 0) {
    clauses.push(`state IN (${filter.states.map(() => '?').join(', ')})`);
    values.push(...filter.states);
  }
  if (filter.dir) {
    clauses.push('dir = ?');
    values.push(filter.dir);
  }
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', values };
}

/** All SQL about runs lives here. */
export class RunStore {
  private readonly statements = new Map<string, Database.Statement<unknown[]>>();

  constructor(readonly db: Db) {}

  private prepare(sql: string): Database.Statement<unknown[]> {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare<unknown[]>(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  insert(run: NewRun): void {
    const record: RunRecord = { agentStart: null, reasonDetails: [], guards: {}, placement: null, ...run, updatedAt: Date.now() };
    const keys = Object.keys(COLUMN_OF) as (keyof RunRecord)[];
    const sql = `INSERT INTO runs (${keys.map((k) => COLUMN_OF[k]).join(', ')}) VALUES (${keys.map(() => '?').join(', ')})`;
    this.prepare(sql).run(...keys.map((k) => toColumnValue(k, record[k])));
  }

  update(id: string, patch: RunPatch): void {
    const keys = (Object.keys(patch) as (keyof RunPatch)[]).filter((k) => patch[k] !== undefined);
    const sets = [...keys.map((k) => `${COLUMN_OF[k]} = ?`), 'updated_at = ?'];
    const values = [...keys.map((k) => toColumnValue(k, patch[k])), Date.now(), id];
    this.prepare(`UPDATE runs SET ${sets.join(', ')} WHERE id = ?`).run(...values);
  }

  /** Updates only while the run is still in one of `states`; returns whether it did. */
  updateIfState(id: string, states: readonly RunState[], patch: RunPatch): boolean {
    const keys = (Object.keys(patch) as (keyof RunPatch)[]).filter((k) => patch[k] !== undefined);
    const sets = [...keys.map((k) => `${COLUMN_OF[k]} = ?`), 'updated_at = ?'];
    const values = [...keys.map((k) => toColumnValue(k, patch[k])), Date.now(), id, ...states];
    const result = this.prepare(
      `UPDATE runs SET ${sets.join(', ')} WHERE id = ? AND state IN (${states.map(() => '?').join(', ')})`,
    ).run(...values);
    return result.changes > 0;
  }

  /**
   * Updates a running run that no supervisor has claimed yet; returns whether it did. Both the
   * supervisor's claim and the launcher's give-up go through here, so exactly one of them wins.
   */
  updateIfUnclaimed(id: string, patch: RunPatch): boolean {
    const keys = (Object.keys(patch) as (keyof RunPatch)[]).filter((k) => patch[k] !== undefined);
    const sets = [...keys.map((k) => `${COLUMN_OF[k]} = ?`), 'updated_at = ?'];
    const values = [...keys.map((k) => toColumnValue(k, patch[k])), Date.now(), id];
    const result = this.prepare(`UPDATE runs SET ${sets.join(', ')} WHERE id = ? AND state = 'running' AND supervisor_pid IS NULL`).run(...values);
    return result.changes > 0;
  }

  get(id: string): RunRecord | undefined {
    const row = this.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
    return row ? fromRow(row) : undefined;
  }

  /**
   * Ids whose prefix matches, newest first (ids may be abbreviated like git hashes). Compared byte
   * for byte through the primary key, so case counts and no pattern is built from user input.
   */
  idsWithPrefix(prefix: string): string[] {
    if (prefix === '') return [];
    const rows = this.prepare('SELECT id FROM runs WHERE id >= ? AND id < ? ORDER BY created_at DESC LIMIT 10').all(prefix, `${prefix}\uffff`) as { id: string }[];
    return rows.map((r) => r.id).filter((id) => id.startsWith(prefix));
  }

  idsByName(name: string): string[] {
    const rows = this.prepare('SELECT id FROM runs WHERE name = ? ORDER BY created_at DESC LIMIT 10').all(name) as {
      id: string;
    }[];
    return rows.map((r) => r.id);
  }

  list(filter: ListFilter = {}): RunRecord[] {
    const { where, values } = whereOf(filter);
    // Page through the index alone, then read only the rows of the page: deep pages stay cheap.
    const sql = `SELECT * FROM runs WHERE rowid IN (SELECT rowid FROM runs ${where} ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?) ORDER BY created_at DESC, rowid DESC`;
    const rows = this.prepare(sql).all(...values, filter.limit ?? 50, filter.offset ?? 0) as RunRow[];
    return rows.map(fromRow);
  }

  count(filter: Omit<ListFilter, 'limit' | 'offset'> = {}): number {
    const { where, values } = whereOf(filter);
    return (this.prepare(`SELECT COUNT(*) AS n FROM runs ${where}`).get(...values) as { n: number }).n;
  }

  /** Directories runs were launched in, most recently used first. */
  dirs(limit = 100): string[] {
    const rows = this.prepare('SELECT dir FROM runs GROUP BY dir ORDER BY MAX(created_at) DESC LIMIT ?').all(limit) as { dir: string }[];
    return rows.map((r) => r.dir);
  }

  /** Ids of runs updated at or after `since` (ms), oldest change first: what a live view must refresh. */
  changedSince(since: number, limit = 500): { id: string; updatedAt: number }[] {
    return this.prepare('SELECT id, updated_at AS updatedAt FROM runs WHERE updated_at >= ? ORDER BY updated_at LIMIT ?').all(since, limit) as { id: string; updatedAt: number }[];
  }

  /**
   * At the claim of a run: whether it must wait for a slot (every slot taken, or runs queued before
   * it), and if so marks it queued. One immediate transaction, so two claims cannot take the last slot.
   */
  queueIfFull(id: string, slots: number, why: Pick<RunPatch, 'reasons' | 'reasonDetails'>, held: (id: string) => boolean = () => false): boolean {
    return this.db
      .transaction(() => {
        const busy = this.slotHolders(id);
        const ahead = this.queuedAheadIds(id).filter((other) => !held(other)).length;
        if (busy < slots && ahead === 0) return false;
        return this.updateIfState(id, ['running'], { state: 'queued', ...why });
      })
      .immediate();
  }

  /**
   * Starts a queued run when a slot is free and no run queued before it waits; returns whether it did.
   * Queued runs thereby start in the order they were queued; one that `held` says cannot start yet
   * (a usage limit of its provider) does not hold up those behind it.
   */
  admitIfFree(id: string, slots: number, held: (id: string) => boolean = () => false): boolean {
    return this.db
      .transaction(() => {
        if (this.slotHolders(id) >= slots || this.queuedAheadIds(id).some((other) => !held(other))) return false;
        return this.updateIfState(id, ['queued'], { state: 'running', reasons: [] });
      })
      .immediate();
  }

  /** Runs holding a slot, other than `exceptId`: claimed by a supervisor and not ended (a just-launched, unclaimed run holds none yet). */
  slotHolders(exceptId = ''): number {
    const sql = `SELECT COUNT(*) AS n FROM runs WHERE state IN (${SLOT_STATES.map(() => '?').join(', ')}) AND supervisor_pid IS NOT NULL AND id != ?`;
    return (this.prepare(sql).get(...SLOT_STATES, exceptId) as { n: number }).n;
  }

  /** How many queued runs were queued before this one (its place in line, from 0). */
  queuedAhead(id: string): number {
    return this.queuedAheadIds(id).length;
  }

  /** The queued runs queued before this one, first in line first. */
  queuedAheadIds(id: string): string[] {
    // Runs queued for a cluster worker (placement set) wait in the cluster's queue, not this machine's.
    const sql = `SELECT r.id AS id FROM runs r, runs me WHERE me.id = ? AND r.state = 'queued' AND r.id != me.id AND r.placement IS NULL
      AND (r.created_at < me.created_at OR (r.created_at = me.created_at AND r.rowid < me.rowid)) ORDER BY r.created_at, r.rowid`;
    return (this.prepare(sql).all(id) as { id: string }[]).map((row) => row.id);
  }

  /**
   * Usage limits still in force: runs that ended `limited` whose reset (or, unsaid, DEFAULT_BREAKER_MS
   * after they ended) is still ahead. `runner` narrows them to one runner.
   */
  limitBreakers(now: number, runner?: string): LimitBreaker[] {
    const sql = `SELECT id, runner, model, COALESCE(limit_reset_at, ended_at + ${DEFAULT_BREAKER_MS}) AS reset_at FROM runs
      WHERE state = 'limited' AND COALESCE(limit_reset_at, ended_at + ${DEFAULT_BREAKER_MS}) > ?${runner ? ' AND runner = ?' : ''}
      ORDER BY reset_at DESC LIMIT 50`;
    const rows = this.prepare(sql).all(...(runner ? [now, runner] : [now])) as { id: string; runner: string; model: string | null; reset_at: number }[];
    return rows.map((row) => ({ runId: row.id, runner: row.runner, model: row.model, resetAt: row.reset_at }));
  }

  /** Cheap check used by `wait` loops: only the columns that say whether a run ended. */
  stateOf(id: string): { state: RunState; updatedAt: number } | undefined {
    return this.prepare('SELECT state, updated_at AS updatedAt FROM runs WHERE id = ?').get(id) as
      | { state: RunState; updatedAt: number }
      | undefined;
  }
}
