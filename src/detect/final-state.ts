import type { RunDigest } from '../digest.js';
import type { RunState } from '../store/runs.js';
import type { UnfinishedTool } from '../runners/types.js';
import { isVerificationRun, type PromptSpec } from './prompt-spec.js';
import { formatDuration } from '../duration.js';
import { describeUsageLimit, findUsageLimit } from './usage-limit.js';

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

export interface Verdict {
  state: RunState;
  reasons: string[];
  /** For `limited`: when the usage limit lifts, if the provider said. */
  limitResetAt?: number | null;
}

function apiErrorReasons(digest: RunDigest): string[] {
  return digest.errors
    .filter((e) => e.api)
    .map((e) => {
      const what = e.status ? `model API ${e.status}` : 'model API error';
      const times = e.count > 1 ? ` x${e.count}` : '';
      return `${what}${times}: ${e.message.split('\n')[0]}`;
    });
}

function describeUnfinished(tool: { tool: string; path?: string; command?: string }): string {
  const verb = tool.tool.toLowerCase();
  const target = tool.path ?? (tool.command !== undefined ? `\`${tool.command}\`` : '');
  return `cut off during ${verb}${target ? ` ${target}` : ''}`;
}

/** Decides how a finished run ended and why, in words a person can act on. */
export function decideFinalState(input: FinalStateInput): Verdict {
  const { end, digest } = input;
  if (end.spawnError) return { state: 'failed', reasons: [`could not start the agent: ${end.spawnError}`] };
  if (end.killRequested) return { state: 'killed', reasons: ['killed by baton kill'] };
  const apiReasons = apiErrorReasons(digest);
  const limit = !digest.completionSeen ? findUsageLimit(digest) : null;
  if (limit && end.timedOutAfterMs === undefined && !end.signal) {
    return { state: 'limited', reasons: [describeUsageLimit(limit)], limitResetAt: limit.resetAt };
  }
  if (end.timedOutAfterMs !== undefined) {
    return { state: 'failed', reasons: [`timed out after ${formatDuration(end.timedOutAfterMs)} (--timeout)`, ...apiReasons] };
  }
  if (end.signal) {
    return { state: 'failed', reasons: [`agent process killed by ${end.signal} from outside Baton`, ...apiReasons] };
  }
  if (end.exitCode !== 0) {
    const other = digest.errors.filter((e) => !e.api).slice(-2).map((e) => e.message.split('\n')[0] ?? '');
    return { state: 'failed', reasons: [`agent exited with code ${end.exitCode}`, ...apiReasons, ...other] };
  }
  // Exit 0 from here on.
  if (apiReasons.length > 0 && !digest.completionSeen) return { state: 'failed', reasons: apiReasons };

  const reasons: string[] = [];
  if (input.completionSignal !== undefined && !digest.completionSeen) {
    reasons.push(`exited 0 without the completion signal (${input.completionSignal})`);
  }
  for (const denial of digest.denials) reasons.push(`permission denied: ${denial.tool}${denial.detail ? ` ${denial.detail}` : ''}`);
  const cutOff = new Set<string>();
  for (const tool of Object.values(digest.openTools)) cutOff.add(describeUnfinished(tool));
  for (const tool of input.unfinishedTools ?? []) cutOff.add(describeUnfinished(tool));
  reasons.push(...cutOff);
  for (const file of input.missingFiles) reasons.push(`missing file ${file}`);
  const verification = input.observesCommands === false ? undefined : input.spec.verification;
  if (verification) {
    const runs = digest.commands.filter((c) => isVerificationRun(c.command, verification));
    const last = runs[runs.length - 1];
    if (!last) reasons.push(`verification "${verification}" never ran`);
    else if (last.status === 'error' || (last.exitCode !== undefined && last.exitCode !== 0)) {
      const code = last.exitCode !== undefined ? ` (exit ${last.exitCode})` : '';
      reasons.push(`verification "${verification}" failed${code} the last time it ran`);
    } else if (last.status === 'pending' || last.status === 'running') {
      reasons.push(`verification "${verification}" was cut off`);
    }
  }
  return reasons.length > 0 ? { state: 'incomplete', reasons } : { state: 'completed', reasons: [] };
}
