import { z } from 'zod';
import { RUN_STATES } from '../store/runs.js';

/**
 * Output schemas of the MCP tools. They describe the documented fields (README, "JSON fields") and
 * let new fields through, so adding a field to RunStatus never breaks a tool result.
 */

const iso = z.string().nullable();

export const runStateSchema = z.enum(RUN_STATES);

/**
 * A run as the MCP tools report it. Claude Code hands a model the structured content rather than the
 * text, so this is what a look costs: the brief's facts by default (absent fields are empty), and the
 * rest only with `detail: "full"`. The whole RunStatus stays in `baton status --json`.
 */
export const runSummarySchema = z.object({
  id: z.string(),
  name: z.string().optional(),
  state: runStateSchema,
  reasons: z.array(z.string()),
  sessionId: z.string().nullable(),
  exitCode: z.number().nullable(),
  elapsedMs: z.number(),
  outputLines: z.number(),
  /** Active runs: how long ago the output last grew. */
  idleMs: z.number().optional(),
  retrying: z.string().optional(),
  limitResetAt: z.string().optional(),
  filesChanged: z.array(z.string()),
  /** The last error, when no reason already says it. */
  lastError: z.string().optional(),
  finalMessage: z.string().nullable(),
  /** What to call next: resume (incomplete, limited, failed or killed with a session) or wait (active). */
  next: z.enum(['resume', 'wait']).optional(),
  // detail: "full"
  runner: z.string().optional(),
  agent: z.string().nullable().optional(),
  model: z.string().nullable().optional(),
  dir: z.string().optional(),
  toolCounts: z.record(z.string(), z.number()).optional(),
  lastErrors: z.array(z.string()).optional(),
  lastCommand: z.string().nullable().optional(),
  followUp: z.string().nullable().optional(),
  parentId: z.string().nullable().optional(),
});

export type RunSummary = z.infer<typeof runSummarySchema>;

/** One line per run in `list`: enough to pick a run, not its whole brief. */
export const runRowSchema = z.object({
  id: z.string(),
  name: z.string().nullable(),
  state: runStateSchema,
  runner: z.string(),
  agent: z.string().nullable(),
  dir: z.string(),
  startedAt: iso,
  elapsedMs: z.number(),
  outputLines: z.number(),
  reasons: z.array(z.string()),
});

export const launchSchema = {
  id: z.string(),
  state: runStateSchema,
  pid: z.number().nullable(),
  log: z.string(),
};

export const phaseStatusSchema = z.looseObject({
  id: z.string(),
  title: z.string(),
  state: z.string(),
  reasons: z.array(z.string()),
  attempts: z.number(),
  runs: z.array(z.looseObject({ id: z.string(), kind: z.string(), state: z.string().optional() })),
  resumes: z.number(),
  fixes: z.number(),
  durationMs: z.number().nullable(),
  commitSha: z.string().nullable(),
  committedPaths: z.array(z.string()),
});

export const planStatusSchema = {
  id: z.string(),
  project: z.string(),
  planFile: z.string(),
  dir: z.string(),
  state: z.string(),
  reasons: z.array(z.string()),
  driverAlive: z.boolean(),
  phases: z.array(phaseStatusSchema),
};
