import { placeholdersIn } from '../placeholders.js';
import type { LintRule } from '../rule.js';

/** Baton reads the files a run must leave behind from this section; without it, "missing file" can't be told. */
export const filesSection: LintRule = {
  id: 'files-section',
  severity: 'error',
  summary: 'no "## Files to Create/Modify" section, or one that lists no paths',
  check(doc) {
    if (doc.filesSections.length === 0) {
      return [{ line: 1, message: 'no "## Files to Create/Modify" section: list every file the phase creates or changes, one `path` per line' }];
    }
    if (doc.spec.expectedFiles.length > 0) return [];
    const section = doc.filesSections[0]!;
    if (section.body.some((line) => placeholdersIn(line.text).length > 0)) return []; // unfilled-placeholder reports it
    return [{ line: section.line, message: 'the Files to Create/Modify section lists no paths Baton can read; write one per line, e.g. "- `src/cli/main.ts`"' }];
  },
};
