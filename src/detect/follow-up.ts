import type { RunDigest } from '../digest.js';
import { filesChanged } from '../digest.js';
import type { PromptSpec } from './prompt-spec.js';

export interface FollowUpInput {
  reasons: string[];
  digest: RunDigest;
  spec: PromptSpec;
  /** The run's directory: files inside it are named relative to it. */
  dir?: string;
}

const SHOWN_FILES = 5;

/**
 * Writes the targeted "Continue." prompt a lead would send: the session keeps its context, so the
 * prompt only says what was done and what remains, numbered, with the verification last.
 */
export function writeFollowUp({ reasons, digest, spec, dir }: FollowUpInput): string {
  const todo: string[] = [];
  for (const reason of reasons) {
    let match: RegExpExecArray | null;
    if ((match = /^missing file (.+)$/.exec(reason))) todo.push(`create ${match[1]}`);
    else if ((match = /^cut off during (\S+)\s*(.*)$/.exec(reason))) {
      todo.push(match[2] ? `finish the ${match[1]} of ${match[2]}, which was cut off` : `finish the ${match[1]} that was cut off`);
    } else if (/^exited 0 without the completion signal/.test(reason)) todo.push('finish the remaining steps of the original task');
    else if (/^usage limit reached/.test(reason)) todo.push('continue where you left off; the usage limit has lifted');
    else if ((match = /^permission denied: (.+)$/.exec(reason))) todo.push(`${match[1]} was refused by your permission settings: do that part another way, or say exactly what needs running`);
    else if (/^model API|^agent exited|^timed out|^agent process killed/.test(reason)) todo.push('finish the remaining steps of the original task');
  }
  if (spec.verification) todo.push(`run \`${spec.verification}\` and fix any errors until it passes`);
  else if (todo.length === 0) todo.push('finish the remaining steps of the original task and report the final result');
  const unique = [...new Set(todo)];
  const done = filesChanged(digest, dir);
  const shown = done.slice(0, SHOWN_FILES).join(', ') + (done.length > SHOWN_FILES ? ` and ${done.length - SHOWN_FILES} more` : '');
  const opening = done.length > 0 ? `Continue. You created ${shown} but still need:` : 'Continue. You still need:';
  return `${opening} ${unique.map((item, i) => `(${i + 1}) ${item}`).join(' ')}`;
}
