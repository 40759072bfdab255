import { commandInStep } from '../../detect/prompt-spec.js';
import { isVerificationCommand, verificationCommandsIn } from '../commands.js';
import type { PromptDocument } from '../document.js';
import { isPlaceholder, withoutPlaceholders } from '../placeholders.js';
import type { LintRule, RuleHit } from '../rule.js';

const EXAMPLE = '"N. Run `npm test`, fix any errors and re-run until it passes, then report final result"';
// What may follow the verification without taking its place as the last thing the agent does.
const CLOSING = /^\W*(?:(?:then|and|finally)\s+)?(?:report|summari[sz]e|reply|tell|thanks?|thank\s+you)\b/i;

/** A prompt without numbered steps: its verification must still be the last thing it asks for. */
function checkUnnumbered(doc: PromptDocument): RuleHit[] {
  const asked = doc.instructions.filter((i) => !CLOSING.test(i.text));
  const verifies = asked.filter((i) => verificationCommandsIn(withoutPlaceholders(i.text)).length > 0 || isPlaceholder(commandInStep(i.text) ?? ''));
  const last = asked.at(-1);
  if (verifies.length === 0) return [{ line: last?.line ?? 1, message: `the prompt runs no verification command; end with e.g. ${EXAMPLE}` }];
  const verification = verifies.at(-1)!;
  if (verification === last) return [];
  const command = verificationCommandsIn(verification.text)[0] ?? commandInStep(verification.text);
  return [{ line: last!.line, message: `the verification \`${command}\` (line ${verification.line}) is not the last thing the prompt asks for; move it to the end, e.g. ${EXAMPLE}` }];
}

/** Baton judges a run by the command of the last step; without one, "done" means nothing was checked. */
export const verificationLast: LintRule = {
  id: 'verification-last',
  severity: 'error',
  summary: 'the last step (or, without steps, the last instruction) runs no verification command (cargo check/test, npm test, pytest, go test, make, tsc, …)',
  check(doc) {
    const last = doc.steps.at(-1);
    if (!last) return checkUnnumbered(doc);
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
