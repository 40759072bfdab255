import type { Baton } from '../baton.js';
import type { WorkerView } from '../cluster/workers.js';
import type { PlanStatus } from '../plans/service.js';
import { classifyPhase, expectedRange, type PhaseHistory } from '../plans/timing.js';
import { describeError, type RunStatus } from '../report.js';
import type { RunRecord } from '../store/runs.js';

/**
 * The JSON the dashboard reads: rows for lists, details for one run or plan. Built from the same
 * RunStatus and PlanStatus the CLI prints, plus what only a page needs (growth samples, a timeline,
 * the expected duration).
 */

// The page (ui/*.js, type-checked by tsconfig.ui.json) imports its JSON shapes from here.
export type { RunStatus } from '../report.js';
export type { WorkerView } from '../cluster/workers.js';
export type { PhaseStatus, PlanStatus } from '../plans/service.js';

export interface ExpectedDuration {
  kind: string;
  minMs: number;
  maxMs: number;
}

export interface RunRow {
  id: string;
  name: string | null;
  state: RunStatus['state'];
  runner: string;
  agent: string | null;
  model: string | null;
  dir: string;
  startedAt: string | null;
  endedAt: string | null;
  elapsedMs: number;
  expected: ExpectedDuration | null;
  outputLines: number;
  lastOutputAt: string | null;
  lastActivityAt: string | null;
  idleMs: number | null;
  growth: [number, number][];
  reasons: string[];
  /** A cluster run's worker (name, host), null while it waits for one; absent for a run of this machine. */
  worker?: RunStatus['worker'];
}

export interface TimelineEntry {
  at: number | null;
  kind: string;
  summary: string;
  exitCode?: number | null;
}

export interface RunDetail {
  status: RunStatus;
  growth: [number, number][];
  timeline: TimelineEntry[];
  expected: ExpectedDuration;
}

export interface PlanRow {
  id: string;
  project: string;
  planFile: string;
  dir: string;
  state: string;
  reasons: string[];
  createdAt: string;
  endedAt: string | null;
  phases: number;
  phasesDone: number;
}

/** GET /api/runs: a page of rows, with every directory that has runs (for the filter). */
export interface RunsPage {
  total: number;
  offset: number;
  limit: number;
  dirs: string[];
  runs: RunRow[];
}

/** GET /api/plans */
export interface PlansPage {
  total: number;
  offset: number;
  limit: number;
  plans: PlanRow[];
}

/** GET /api/runs/:id/tail: the last lines, and the byte offset the stream goes on from. */
export interface TailView {
  lines: string[];
  offset: number;
  /** The last line has no newline yet. */
  partial: boolean;
  missing: boolean;
}

/** The run stream's events (/api/runs/:id/stream): `tail`, `skipped`, `status` (a RunDetail), `end`. */
export interface TailEvent {
  text: string;
  offset: number;
}
export interface SkippedEvent {
  bytes: number;
}

/** POST /api/runs/:id/kill and /resume (resume also says the new run's id). */
export interface RunActionResult {
  id?: string;
  status: RunDetail;
}

/** GET /api/workers: the cluster's workers as `baton workers --json` lists them; configured false without a cluster. */
export interface WorkersPage {
  configured: boolean;
  workers: WorkerView[];
}

/** A run as both the store holds it and the CLI reports it. */
export interface RunView {
  record: RunRecord;
  status: RunStatus;
}

/** Growth samples plus the run's current count, so a plot reaches "now" (or the run's end). */
export function growthOf({ record, status }: RunView): [number, number][] {
  const samples = record.digest.growth ?? [];
  const end = status.endedAt ? Date.parse(status.endedAt) : Date.now();
  const last = samples.at(-1);
  return last && last[1] === status.outputLines && end - last[0] < 1_000 ? samples : [...samples, [end, status.outputLines]];
}

/** How long such work usually takes: the plan timing's phase kinds, applied to the run's prompt. */
export function expectedFor(baton: Baton, { record, status }: RunView, history: PhaseHistory): ExpectedDuration {
  const { kind } = classifyPhase(status.name ?? '', baton.rootPrompt(record));
  const range = expectedRange(kind, history);
  return { kind, minMs: range.minMs, maxMs: range.maxMs };
}

export function runRow(baton: Baton, view: RunView, history: PhaseHistory): RunRow {
  const { status } = view;
  return {
    id: status.id,
    name: status.name,
    state: status.state,
    runner: status.runner,
    agent: status.agent,
    model: status.model,
    dir: status.dir,
    startedAt: status.startedAt,
    endedAt: status.endedAt,
    elapsedMs: status.elapsedMs,
    expected: expectedFor(baton, view, history),
    outputLines: status.outputLines,
    lastOutputAt: status.lastOutputAt,
    lastActivityAt: status.lastActivityAt,
    idleMs: status.idleMs,
    growth: growthOf(view),
    reasons: status.reasons,
    ...(status.worker !== undefined && { worker: status.worker }),
  };
}

/**
 * What the agent did, in order: its recent events (reads, edits, writes, commands with their exit
 * status, text), the commands from before them, and errors not already shown. Bounded by the digest,
 * so a multi-GB log costs nothing here.
 */
export function timelineOf(status: RunStatus): TimelineEntry[] {
  // Newest record of each command: a recent event's exit status may only be known there.
  const commandRecords = new Map(status.commands.map((c) => [c.command, c]));
  const recordFor = (summary: string) => [...commandRecords.values()].reverse().find((c) => summary.includes(c.command));
  const recent: TimelineEntry[] = status.recentEvents.map((event) => {
    const exit = /\(exit (-?\d+)\)/.exec(event.summary);
    const record = event.kind === 'tool' ? recordFor(event.summary) : undefined;
    const exitCode = exit ? Number(exit[1]) : record?.exitCode;
    return {
      at: event.at ?? null,
      kind: event.kind === 'tool' ? event.summary.split(' ')[0]! : event.kind,
      summary: event.summary,
      ...(exitCode !== undefined && { exitCode }),
    };
  });
  const firstRecent = recent.find((e) => e.at !== null)?.at ?? Infinity;
  const earlier: TimelineEntry[] = status.commands
    .filter((c) => (c.at !== undefined ? c.at < firstRecent : !recent.some((e) => e.summary.includes(c.command))))
    .map((c) => ({ at: c.at ?? null, kind: 'command', summary: c.command, exitCode: c.exitCode ?? null }));
  const unshownErrors: TimelineEntry[] = status.errors
    .filter((error) => !recent.some((e) => e.kind === 'error' && e.summary.includes(error.message.slice(0, 40))))
    .map((error) => ({ at: null, kind: 'error', summary: describeError(error) }));
  return [...earlier, ...recent, ...unshownErrors];
}

export function runDetail(baton: Baton, view: RunView, history: PhaseHistory): RunDetail {
  return { status: view.status, growth: growthOf(view), timeline: timelineOf(view.status), expected: expectedFor(baton, view, history) };
}

export function planRow(plan: PlanStatus): PlanRow {
  return {
    id: plan.id,
    project: plan.project,
    planFile: plan.planFile,
    dir: plan.dir,
    state: plan.state,
    reasons: plan.reasons,
    createdAt: plan.createdAt,
    endedAt: plan.endedAt,
    phases: plan.phases.length,
    phasesDone: plan.phases.filter((p) => p.state === 'committed' || p.state === 'skipped').length,
  };
}
