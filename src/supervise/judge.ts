import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { RunDigest } from '../digest.js';
import { decideEnding, type Ending, type ProcessEnd } from '../detect/final-state.js';
import { readPromptSpec } from '../detect/prompt-spec.js';
import { getRunner } from '../runners/registry.js';
import type { SessionFacts } from '../runners/types.js';
import type { RunRecord } from '../store/runs.js';

/**
 * How an ended agent run is judged, from its digest, its own session store and the files it left.
 * Shared by the supervisor (which saw the exit) and by whoever settles a run whose supervisor died.
 * Folds the session store's commands and errors into `digest`.
 */
export function judgeRun(run: RunRecord, digest: RunDigest, end: ProcessEnd, agentEnv: NodeJS.ProcessEnv): Ending {
  const spec = readPromptSpec(run.prompt);
  const missingFiles = spec.expectedFiles.filter((file) => !existsSync(isAbsolute(file) ? file : resolve(run.dir, file)));
  const runner = getRunner(run.runner);
  const session = digest.sessionId && runner.inspectSession ? runner.inspectSession(digest.sessionId, agentEnv) : null;
  // The session store is the better witness for commands: it has exit codes the log may not show.
  // A resumed run's session holds its predecessors' commands too, which is what verification wants.
  if (session && session.commands.length > 0) digest.commands = session.commands.slice(-200);
  if (session) mergeSessionErrors(digest, session.errors);
  return decideEnding({
    end,
    digest,
    spec,
    missingFiles,
    unfinishedTools: end.exitCode === 0 ? (session?.unfinishedTools ?? null) : null,
    completionSignal: runner.completionSignalFor?.(run.runnerOptions) ?? runner.completionSignal,
    ...(runner.observesCommands === false && { observesCommands: false }),
  });
}

/**
 * A kill that was asked for but not carried through (`baton kill` itself killed during its grace)
 * did not end an agent that then exited 0 on its own: that run is judged on its work.
 */
export function endedByKill(end: Pick<ProcessEnd, 'exitCode' | 'signal'>, killRequested: boolean): boolean {
  return killRequested && !(end.exitCode === 0 && end.signal === null);
}

/**
 * The log shows provider errors without their HTTP status (oh-my-opencode) while the session store
 * keeps it: give each logged error its status, and add errors only the store saw.
 */
function mergeSessionErrors(digest: RunDigest, errors: SessionFacts['errors']): void {
  for (const error of errors) {
    const logged = digest.errors.find((e) => e.message.includes(error.message) || error.message.includes(e.message));
    if (logged) {
      if (logged.status === undefined && error.status !== undefined) logged.status = error.status;
      logged.api ||= error.api;
    } else {
      digest.errors.push({ message: error.message, api: error.api, ...(error.status !== undefined && { status: error.status }), count: 1 });
    }
  }
}
