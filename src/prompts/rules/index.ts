import type { LintRule } from '../rule.js';
import { filesNotListed } from './files-not-listed.js';
import { filesSection } from './files-section.js';
import { filesThroughScript } from './files-through-script.js';
import { numberedSteps } from './numbered-steps.js';
import { unfilledPlaceholder } from './unfilled-placeholder.js';
import { vagueStep } from './vague-step.js';
import { verificationLast } from './verification-last.js';
import { verificationPriority } from './verification-priority.js';

/** Every prompt lint rule, the one table: adding a rule is one file and one entry here. */
export const RULES: readonly LintRule[] = [
  numberedSteps,
  verificationLast,
  filesThroughScript,
  vagueStep,
  verificationPriority,
  filesSection,
  filesNotListed,
  unfilledPlaceholder,
];
