import { describeRetry, filesChanged, type BriefEvent, type CommandRecord } from './digest.js';
import type { TokenUsage, ToolKind } from './events.js';
import { readPromptSpec } from './detect/prompt-spec.js';
import { writeFollowUp } from './detect/follow-up.js';
import { isActive, RESUMABLE_STATES, type RunRecord, type RunState } from './store/runs.js';
import type { Reason } from './reasons.js';

/**
 * The documented, stable shape of `baton status --json` (and of the library's `status`). Times are
 * ISO-8601 strings, durations milliseconds. New fields may be added; existing ones keep their meaning.
 */
export interface RunStatus {
  id: string;
  name: string | null;
  runner: string;
  agent: string | null;
  model: string | null;
  dir: string;
  state: RunState;
  reasons: string[];
  /** `reasons` as data, one entry per reason in the same order (see src/reasons.ts); empty for runs recorded before it. */
  reasonDetails: Reason[];
  /** For `queued` runs: its place in the home's queue, 1 for the next to start; otherwise null. */
  queuePosition: number | null;
  sessionId: string | null;
  pid: number | null;
  exitCode: number | null;
  signal: string | null;
  /** For `limited` runs: when the usage limit lifts (ISO), or null when the provider did not say. */
  limitResetAt: string | null;
  startedAt: string | null;
  endedAt: string | null;
  elapsedMs: number;
  outputLines: number;
  outputBytes: number;
  /** Output lines added over roughly the last minute (null before a minute of history). */
  recentLinesPerMinute: number | null;
  lastOutputAt: string | null;
  lastActivityAt: string | null;
  /** How long ago the output last grew. */
  idleMs: number | null;
  toolCounts: Partial<Record<ToolKind, number>>;
  filesChanged: string[];
  filesRead: number;
  commands: CommandRecord[];
  recentEvents: BriefEvent[];
  errors: { message: string; api: boolean; status?: number; count: number }[];
  tokens: TokenUsage;
  cost: number;
  finalMessage: string | null;
  /** "retrying 4/10, API 500" while the runner retries a failed model call (active runs only). */
  retrying: string | null;
  /** The prompt `baton resume` would send without one of its own (only for runs that can be resumed). */
  followUp: string | null;
  parentId: string | null;
  /** For a run dispatched to the cluster: the worker that took it (name, host), null until one did; absent for local runs. */
  worker?: { name: string; host: string | null } | null;
  log: string;
  /** Exceptions inside Baton's parser of the output (bugs), with the first one's line and message; always set by toRunStatus. */
  parseErrors?: { count: number; firstLine?: number; firstMessage?: string };
  /** Output lines that broke the runner's own format (JSON cut short) and were skipped. */
  unparsedLines?: { count: number; firstLine?: number; firstMessage?: string };
}

/** "429 rate limited (×3)": an error as every view shows it. */
export function describeError(error: { message: string; status?: number; count: number }): string {
  return `${error.status ? `${error.status} ` : ''}${error.message}${error.count > 1 ? ` (×${error.count})` : ''}`;
}

const ISO = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function linesPerMinute(run: RunRecord, now: number): number | null {
  const growth = run.digest.growth ?? [];
  if (growth.length < 2) return null;
  const latest: [number, number] = run.endedAt ? [run.endedAt, run.outputLines] : [now, run.outputLines];
  for (let i = growth.length - 1; i >= 0; i--) {
    const sample = growth[i]!;
    if (latest[0] - sample[0] >= 60_000) {
      return Math.round(((latest[1] - sample[1]) * 60_000) / (latest[0] - sample[0]));
    }
  }
  return null;
}

/** The prompt that defines what "done" means for a run: the first prompt of its resume chain. */
export type RootPromptOf = (run: RunRecord) => string;

export function toRunStatus(run: RunRecord, rootPrompt: string, now = Date.now()): RunStatus {
  const start = run.startedAt ?? run.createdAt;
  const canResume = RESUMABLE_STATES.includes(run.state) && run.sessionId !== null;
  return {
    id: run.id,
    name: run.name,
    runner: run.runner,
    agent: run.agent ?? run.digest.agent ?? null,
    model: run.model ?? run.digest.model ?? null,
    dir: run.dir,
    state: run.state,
    reasons: run.reasons,
    reasonDetails: run.reasonDetails,
    queuePosition: null,
    sessionId: run.sessionId,
    pid: run.pid,
    exitCode: run.exitCode,
    signal: run.signal,
    limitResetAt: ISO(run.limitResetAt),
    startedAt: ISO(run.startedAt),
    endedAt: ISO(run.endedAt),
    elapsedMs: (run.endedAt ?? now) - start,
    outputLines: run.outputLines,
    outputBytes: run.outputBytes,
    recentLinesPerMinute: linesPerMinute(run, now),
    lastOutputAt: ISO(run.lastOutputAt),
    lastActivityAt: ISO(run.lastActivityAt),
    idleMs: run.lastOutputAt === null ? null : (run.endedAt ?? now) - run.lastOutputAt,
    toolCounts: run.digest.toolCounts,
    filesChanged: filesChanged(run.digest, run.dir),
    filesRead: run.digest.filesRead.length,
    commands: run.digest.commands.slice(-10),
    recentEvents: run.digest.recent.map((event) => ({ ...event, summary: event.summary.replaceAll(`${run.dir}/`, '') })),
    errors: run.digest.errors.map(({ message, api, status, count }) => ({ message, api, ...(status !== undefined && { status }), count })),
    tokens: run.digest.tokens,
    cost: run.digest.cost,
    finalMessage: run.finalMessage,
    retrying: run.digest.retrying && isActive(run.state) ? describeRetry(run.digest.retrying) : null,
    followUp: canResume ? writeFollowUp({ reasons: run.reasonDetails, digest: run.digest, spec: readPromptSpec(rootPrompt), dir: run.dir }) : null,
    parentId: run.parentId,
    ...(run.placement && { worker: run.placement.worker ? { name: run.placement.worker, host: run.placement.workerHost } : null }),
    log: run.logPath,
    parseErrors: run.digest.parseErrors ?? { count: 0 },
    unparsedLines: run.digest.unparsedLines ?? { count: 0 },
  };
}
