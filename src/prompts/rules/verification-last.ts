import { commandInStep } from '../../detect/prompt-spec.js';
import { isVerificationCommand } from '../commands.js';
import { isPlaceholder } from '../placeholders.js';
import type { LintRule } from '../rule.js';

const EXAMPLE = '"N. Run `npm test`, fix any errors and re-run until it passes, then report final result"';

/** Baton judges a run by the command of the last step; without one, "done" means nothing was checked. */
export const verificationLast: LintRule = {
  id: 'verification-last',
  severity: 'error',
  summary: 'the last step runs no verification command (cargo check/test, npm test, pytest, go test, make, tsc, …)',
  check(doc) {
    const last = doc.steps.at(-1);
    if (!last) return [];
    const command = commandInStep(last.text);
    if (command !== undefined && isPlaceholder(command)) return []; // unfilled-placeholder reports it
    if (command !== undefined && isVerificationCommand(command)) return [];
    const earlier = [...doc.steps].reverse().find((step) => step !== last && isVerificationCommand(commandInStep(step.text) ?? ''));
    const message = command
      ? `the last step runs \`${command}\`, which is not a verification (a build, type check or test run)`
      : earlier
        ? `the verification is in step ${earlier.ordinal}, not the last step: Baton reads it from the last step only; fold it in, e.g. ${EXAMPLE}`
        : `the last step runs no verification command; end with e.g. ${EXAMPLE}`;
    return [{ line: last.line, message }];
  },
};
