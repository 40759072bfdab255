import { describeError, type RunStatus } from '../report.js';
import { oneLine, unreportedError } from '../present/brief.js';
import { clipCounted } from '../text.js';
import type { Reason } from '../reasons.js';
import { isActive } from '../store/runs.js';

/**
 * What a lead reads about a run over MCP. A lead pays for every character it reads, on every look:
 * a look at a run still going says only what needs attention, and the report of its end says once
 * everything needed to decide the next move, so no status call follows it.
 */

const FILES_SHOWN = 20;
const FINAL_CHARS = 100;

/** The run as the MCP tools report it: empty fields left out; `detail: "full"` adds the rest. */
export interface RunReport {
  id: string;
  name?: string;
  state: string;
  reasons?: string[];
  /** `reasons` as data (detail "full" only: the brief pays for the words once). */
  reasonDetails?: Reason[];
  sessionId?: string;
  exitCode?: number;
  elapsedMs: number;
  outputLines: number;
  idleMs?: number;
  retrying?: string;
  limitResetAt?: string;
  filesChanged?: string[];
  lastError?: string;
  /** The final message's gist (its first 100 characters on one line; all of it with detail "full"). */
  finalMessage?: string;
  /** The next move, in a few words. */
  next?: string;
  /** A cluster run's worker (name, host), null while queued for one; absent for a run of this machine. */
  worker?: RunStatus['worker'];
  runner?: string;
  agent?: string | null;
  model?: string | null;
  dir?: string;
  toolCounts?: Record<string, number>;
  lastErrors?: string[];
  lastCommand?: string | null;
  followUp?: string | null;
  parentId?: string | null;
}

/** The next move for a run, by how it stands. */
export function nextMove(s: RunStatus): string | undefined {
  if (isActive(s.state)) return s.state === 'stalled' ? `wait, or kill ${s.id} if it stays stalled` : 'wait';
  if (s.followUp !== null) return `resume ${s.id} (Baton writes the follow-up)`;
  if (s.state === 'completed') return `review: diff ${s.id}`;
  if (s.state === 'limited') return s.limitResetAt ? `resume after ${s.limitResetAt}` : 'resume once the limit lifts';
  return 'fix the cause in reasons, then run again';
}

/** A reason with its texts (a provider's message, a path) bounded like the rendered reasons. */
function clipReason(reason: Reason): Reason {
  return Object.fromEntries(Object.entries(reason).map(([key, value]) => [key, typeof value === 'string' && key !== 'kind' ? clipCounted(value, 300) : value])) as Reason;
}

export function reportRun(s: RunStatus, detail: 'brief' | 'full' = 'brief'): RunReport {
  const dirPrefix = `${s.dir}/`;
  const lastError = unreportedError(s);
  const files = s.filesChanged.slice(0, FILES_SHOWN).map((f) => (f.startsWith(dirPrefix) ? f.slice(dirPrefix.length) : f));
  const next = nextMove(s);
  const brief: RunReport = {
    id: s.id,
    ...(s.name !== null && { name: s.name }),
    state: s.state,
    ...(s.reasons.length > 0 && { reasons: s.reasons.map((r) => clipCounted(r, 300)) }),
    ...(s.sessionId !== null && { sessionId: s.sessionId }),
    ...(s.exitCode !== null && { exitCode: s.exitCode }),
    elapsedMs: s.elapsedMs,
    outputLines: s.outputLines,
    ...(isActive(s.state) && s.idleMs !== null && { idleMs: s.idleMs }),
    ...(s.retrying !== null && { retrying: s.retrying }),
    ...(s.limitResetAt !== null && { limitResetAt: s.limitResetAt }),
    ...(files.length > 0 && { filesChanged: s.filesChanged.length > FILES_SHOWN ? [...files, `(+${s.filesChanged.length - FILES_SHOWN} more)`] : files }),
    ...(lastError !== null && { lastError: clipCounted(lastError, 200) }),
    ...(s.finalMessage !== null && s.finalMessage.trim() !== '' && { finalMessage: detail === 'full' ? clipCounted(s.finalMessage.trim(), 2_000) : oneLine(s.finalMessage, FINAL_CHARS) }),
    ...(next !== undefined && { next }),
    ...(s.worker !== undefined && { worker: s.worker }),
  };
  if (detail === 'brief') return brief;
  const lastCommand = s.commands.at(-1);
  return {
    ...brief,
    ...(s.reasonDetails.length > 0 && { reasonDetails: s.reasonDetails.map(clipReason) }),
    runner: s.runner,
    agent: s.agent,
    model: s.model,
    dir: s.dir,
    toolCounts: Object.fromEntries(Object.entries(s.toolCounts).filter((e): e is [string, number] => typeof e[1] === 'number')),
    lastErrors: s.errors.slice(-3).map((e) => clipCounted(describeError(e), 200)),
    lastCommand: lastCommand ? clipCounted(`${lastCommand.command} (${lastCommand.exitCode !== undefined ? `exit ${lastCommand.exitCode}` : lastCommand.status})`, 200) : null,
    followUp: s.followUp === null ? null : clipCounted(s.followUp, 2_000),
    parentId: s.parentId,
  };
}
