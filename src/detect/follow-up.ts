import type { RunDigest } from '../digest.js';
import { filesChanged } from '../digest.js';
import type { PromptSpec } from './prompt-spec.js';
import { cutOffTarget, type Reason } from '../reasons.js';

export interface FollowUpInput {
  reasons: readonly Reason[];
  digest: RunDigest;
  spec: PromptSpec;
  /** The run's directory: files inside it are named relative to it. */
  dir?: string;
}

const SHOWN_FILES = 5;
const FINISH = 'finish the remaining steps of the original task';

/** What is left to do for one reason, or null when the reason asks nothing of the agent. */
function stepFor(reason: Reason): string | null {
  switch (reason.kind) {
    case 'missing-file':
      return `create ${reason.path}`;
    case 'cut-off': {
      const target = cutOffTarget(reason);
      return target ? `finish the ${reason.tool} of ${target}, which was cut off` : `finish the ${reason.tool} that was cut off`;
    }
    case 'usage-limit':
      return 'continue where you left off; the usage limit has lifted';
    case 'permission-denied':
      return `${reason.tool}${reason.detail ? ` ${reason.detail}` : ''} was refused by your permission settings: do that part another way, or say exactly what needs running`;
    case 'no-completion-signal':
    case 'api-error':
    case 'exit-code':
    case 'timeout':
    case 'signal':
      return FINISH;
    default:
      return null;
  }
}

/**
 * Writes the targeted "Continue." prompt a lead would send: the session keeps its context, so the
 * prompt only says what was done and what remains, numbered, with the verification last.
 */
export function writeFollowUp({ reasons, digest, spec, dir }: FollowUpInput): string {
  const todo = reasons.map(stepFor).filter((step): step is string => step !== null);
  if (spec.verification) todo.push(`run \`${spec.verification}\` and fix any errors until it passes`);
  else if (todo.length === 0) todo.push(`${FINISH} and report the final result`);
  const unique = [...new Set(todo)];
  const done = filesChanged(digest, dir);
  const shown = done.slice(0, SHOWN_FILES).join(', ') + (done.length > SHOWN_FILES ? ` and ${done.length - SHOWN_FILES} more` : '');
  const opening = done.length > 0 ? `Continue. You created ${shown} but still need:` : 'Continue. You still need:';
  return `${opening} ${unique.map((item, i) => `(${i + 1}) ${item}`).join(' ')}`;
}
