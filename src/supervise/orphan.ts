import { applyEvent, type RunDigest } from '../digest.js';
import { getRunner } from '../runners/registry.js';
import type { RunPatch, RunRecord } from '../store/runs.js';
import { judgeRun } from './judge.js';
import { LogReader } from './log-reader.js';
import { hasReason, reasonFields, type Reason } from '../reasons.js';

/** Whether a run ended unjudged because Baton's own supervisor died: it says nothing about the agent. */
export function outcomeUnknown(reasons: readonly Reason[]): boolean {
  return hasReason(reasons, 'outcome-unknown', 'nothing-ran');
}

/** Whether the verdict came from the agent's own account of how it ended. */
export function judgedFromLeftovers(reasons: readonly Reason[]): boolean {
  return hasReason(reasons, 'judged-from-leftovers');
}

/**
 * The verdict for a run whose agent is gone and whose supervisor died before writing one. The log is
 * read on from where the supervisor last recorded, so the counters and digest are the whole run's;
 * then the run is judged as the supervisor would have, when the agent showed how it ended (its
 * completion signal, a usage limit). Otherwise the outcome is unknown, and the reason says it was
 * Baton's fault.
 */
export function judgeOrphanedRun(run: RunRecord, env: NodeJS.ProcessEnv): RunPatch {
  if (run.pid === null && run.startedAt === null) return { state: 'failed', ...reasonFields([{ kind: 'nothing-ran' }]), endedAt: run.endedAt ?? Date.now() };
  const digest: RunDigest = structuredClone(run.digest);
  const runner = getRunner(run.runner);
  const parser = runner.createParser(run.runnerOptions);
  const reader = new LogReader(run.logPath, run.parsedOffset);
  const now = Date.now();
  const onLine = (line: string) => {
    for (const event of parser.push(line)) applyEvent(digest, event.at === undefined ? { ...event, at: now } : event);
  };
  reader.readNew(onLine);
  reader.flush(onLine);
  reader.close();
  for (const event of parser.end()) applyEvent(digest, event.at === undefined ? { ...event, at: now } : event);
  const counters: RunPatch = {
    outputBytes: Math.max(run.outputBytes, reader.seen),
    outputLines: run.outputLines + reader.lines,
    parsedOffset: reader.offset,
    digest,
    finalMessage: digest.finalMessage ?? run.finalMessage,
    ...(digest.sessionId && { sessionId: digest.sessionId }),
    endedAt: run.endedAt ?? now,
  };
  // Judged as if it exited 0: only kept when the agent itself said how it ended.
  const verdict = judgeRun(run, digest, { exitCode: 0, signal: null, killRequested: false }, { ...env, ...run.sessionEnv });
  if (digest.completionSeen || verdict.state === 'limited') {
    return { ...counters, state: verdict.state, ...reasonFields([...verdict.reasons, { kind: 'judged-from-leftovers' }]), limitResetAt: verdict.limitResetAt ?? null };
  }
  return { ...counters, state: 'incomplete', ...reasonFields([{ kind: 'outcome-unknown' }]) };
}
