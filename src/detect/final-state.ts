import type { RunDigest } from '../digest.js';
import type { RunState } from '../store/runs.js';
import type { UnfinishedTool } from '../runners/types.js';
import { isVerificationRun, type PromptSpec } from './prompt-spec.js';
import { findUsageLimit, usageLimitReason } from './usage-limit.js';
import { renderReason, type Reason } from '../reasons.js';

/** How the agent process ended, as the supervisor saw it. */
export interface ProcessEnd {
  exitCode: number | null;
  signal: string | null;
  /** `baton kill` asked for it. */
  killRequested: boolean;
  /** Baton's own --timeout fired. */
  timedOutAfterMs?: number;
  /** The process could not be started at all. */
  spawnError?: string;
}

export interface FinalStateInput {
  end: ProcessEnd;
  digest: RunDigest;
  spec: PromptSpec;
  /** Files from the spec that do not exist after the run. */
  missingFiles: string[];
  /** From the agent's own session store; null when it could not be read. */
  unfinishedTools: UnfinishedTool[] | null;
  /** How the runner says it is done, for the reason when it did not; undefined: it has no such signal. */
  completionSignal: string | undefined;
  /** False when the runner cannot show which commands ran: the verification is then not judged. */
  observesCommands?: boolean;
}

/** How a run ended and why, as data: what the supervisor stores and every consumer reads. */
export interface Ending {
  state: RunState;
  reasons: Reason[];
  /** For `limited`: when the usage limit lifts, if the provider said. */
  limitResetAt?: number | null;
}

/** An ending with its reasons rendered, as `reasons: string[]` shows them. */
export interface Verdict {
  state: RunState;
  reasons: string[];
  /** For `limited`: when the usage limit lifts, if the provider said. */
  limitResetAt?: number | null;
}

function apiErrorReasons(digest: RunDigest): Reason[] {
  return digest.errors
    .filter((e) => e.api)
    .map((e) => ({ kind: 'api-error' as const, ...(e.status && { status: e.status }), count: e.count, message: e.message.split('\n')[0]! }));
}

function unfinished(tool: { tool: string; path?: string; command?: string }): Reason {
  return { kind: 'cut-off', tool: tool.tool.toLowerCase(), ...(tool.path !== undefined ? { path: tool.path } : tool.command !== undefined && { command: tool.command }) };
}

/** Decides how a finished run ended and why, as reasons a person can act on once rendered. */
export function decideEnding(input: FinalStateInput): Ending {
  const { end, digest } = input;
  if (end.spawnError) return { state: 'failed', reasons: [{ kind: 'spawn-failed', message: end.spawnError }] };
  if (end.killRequested) return { state: 'killed', reasons: [{ kind: 'killed' }] };
  const apiReasons = apiErrorReasons(digest);
  const limit = !digest.completionSeen ? findUsageLimit(digest) : null;
  if (limit && end.timedOutAfterMs === undefined && !end.signal) {
    return { state: 'limited', reasons: [usageLimitReason(limit)], limitResetAt: limit.resetAt };
  }
  if (end.timedOutAfterMs !== undefined) {
    return { state: 'failed', reasons: [{ kind: 'timeout', boundMs: end.timedOutAfterMs }, ...apiReasons] };
  }
  if (end.signal) {
    return { state: 'failed', reasons: [{ kind: 'signal', signal: end.signal }, ...apiReasons] };
  }
  if (end.exitCode !== 0) {
    const other: Reason[] = digest.errors.filter((e) => !e.api).slice(-2).map((e) => ({ kind: 'agent-error', message: e.message.split('\n')[0] ?? '' }));
    return { state: 'failed', reasons: [{ kind: 'exit-code', code: end.exitCode }, ...apiReasons, ...other] };
  }
  // Exit 0 from here on.
  if (apiReasons.length > 0 && !digest.completionSeen) return { state: 'failed', reasons: apiReasons };

  const reasons: Reason[] = [];
  if (input.completionSignal !== undefined && !digest.completionSeen) {
    reasons.push({ kind: 'no-completion-signal', signal: input.completionSignal });
  }
  for (const denial of digest.denials) reasons.push({ kind: 'permission-denied', tool: denial.tool, ...(denial.detail && { detail: denial.detail }) });
  // The log and the session store may both report one cut-off call: it is one reason.
  const cutOff = new Map<string, Reason>();
  for (const tool of [...Object.values(digest.openTools), ...(input.unfinishedTools ?? [])]) {
    const reason = unfinished(tool);
    cutOff.set(renderReason(reason), reason);
  }
  reasons.push(...cutOff.values());
  for (const file of input.missingFiles) reasons.push({ kind: 'missing-file', path: file });
  const verification = input.observesCommands === false ? undefined : input.spec.verification;
  if (verification) {
    const runs = digest.commands.filter((c) => isVerificationRun(c.command, verification));
    const last = runs[runs.length - 1];
    if (!last) reasons.push({ kind: 'verification-not-run', command: verification });
    else if (last.status === 'error' || (last.exitCode !== undefined && last.exitCode !== 0)) {
      reasons.push({ kind: 'verification-failed', command: verification, ...(last.exitCode !== undefined && { exitCode: last.exitCode }) });
    } else if (last.status === 'pending' || last.status === 'running') {
      reasons.push({ kind: 'verification-cut-off', command: verification });
    }
  }
  return reasons.length > 0 ? { state: 'incomplete', reasons } : { state: 'completed', reasons: [] };
}

/** `decideEnding` with its reasons rendered. */
export function decideFinalState(input: FinalStateInput): Verdict {
  const ending = decideEnding(input);
  return { ...ending, reasons: ending.reasons.map(renderReason) };
}
