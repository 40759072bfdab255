import { placeholdersIn } from '../placeholders.js';
import type { LintRule } from '../rule.js';

/** Template text the author meant to replace; the agent would take it literally. */
export const unfilledPlaceholder: LintRule = {
  id: 'unfilled-placeholder',
  severity: 'warning',
  summary: 'a <…> template placeholder left in',
  check(doc) {
    return doc.prose.flatMap((line) => placeholdersIn(line.text).map((p) => ({ line: line.number, message: `unfilled placeholder ${p.text}` })));
  },
};
