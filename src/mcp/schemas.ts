import { z } from 'zod';
import { RUN_STATES } from '../store/runs.js';

/**
 * Output schemas of the MCP tools. They describe the documented fields (README, "JSON fields") and
 * let new fields through, so adding a field to RunStatus never breaks a tool result.
 */

const iso = z.string().nullable();

export const runStateSchema = z.enum(RUN_STATES);

/**
 * A run as the MCP tools report it: the facts of the brief, bounded. Claude Code hands a model the
 * structured content rather than the text, so this, not the full RunStatus (commands, events with
 * timestamps, log path), is what a look costs. The full shape stays in `baton status --json`.
 */
export const runSummarySchema = z.object({
  id: z.string(),
  name: z.string().nullable(),
  state: runStateSchema,
  reasons: z.array(z.string()),
  runner: z.string(),
  agent: z.string().nullable(),
  model: z.string().nullable(),
  dir: z.string(),
  sessionId: z.string().nullable(),
  exitCode: z.number().nullable(),
  limitResetAt: iso,
  elapsedMs: z.number(),
  idleMs: z.number().nullable(),
  outputLines: z.number(),
  toolCounts: z.record(z.string(), z.number()),
  filesChanged: z.array(z.string()),
  lastErrors: z.array(z.string()),
  lastCommand: z.string().nullable(),
  finalMessage: z.string().nullable(),
  followUp: z.string().nullable(),
  parentId: z.string().nullable(),
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
