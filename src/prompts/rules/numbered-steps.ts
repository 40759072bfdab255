import type { LintRule } from '../rule.js';

/** Agents such as oh-my-opencode track numbered steps as todos; clear steps end the loop cleanly. */
export const numberedSteps: LintRule = {
  id: 'numbered-steps',
  severity: 'error',
  summary: 'no numbered steps under a "## Steps" heading',
  check(doc) {
    if (doc.steps.length > 0) return [];
    if (doc.stepsSection) {
      return [{ line: doc.stepsSection.line, message: 'the Steps section has no numbered steps (1. …, 2. …, ending with the verification)' }];
    }
    const stray = doc.strayNumbered[0];
    if (stray) {
      return [{ line: stray.number, message: 'numbered steps need a "## Steps" heading above them: Baton reads the verification from the last step of that section' }];
    }
    return [{ line: 1, message: 'no numbered steps: add a "## Steps" section (1. …, 2. …) whose last step runs the verification' }];
  },
};
