import { instructionName } from '../document.js';
import { filesMentionedIn } from '../mentions.js';
import { withoutPlaceholders } from '../placeholders.js';
import type { LintRule } from '../rule.js';

const ACTION = /\b(?:create|add|write|update|modify|edit|change|implement|extend|fix|rename|move|replace|refactor|generate|register|export|append|insert|wire|put|place)\b/gi;
const READ = /\b(?:read|reads|reading|look\s+at|looking\s+at|see|study|inspect|consult|refer\s+to|following|follow|mirror|mirroring|like|as\s+in|based\s+on|model(?:l)?ed\s+on|copy\s+from|compare\s+with)\b/gi;
const DELETE_RIGHT_BEFORE = /\b(?:delete|remove|rm)\s+(?:the\s+)?(?:file\s+)?$/i;

function lastIndex(pattern: RegExp, text: string): number {
  let index = -1;
  for (const match of text.matchAll(pattern)) index = match.index ?? index;
  return index;
}

/**
 * Whether a mention is a file the step only reads ("Read src/a.ts, src/b.ts and update src/c.ts": a and
 * b) or deletes: those must not be listed, since Baton expects every listed file to exist at the end.
 */
function onlyReadOrDeleted(line: string, index: number): boolean {
  const before = line.slice(0, index);
  const clause = before.slice(Math.max(before.lastIndexOf('. '), before.lastIndexOf(';'), before.toLowerCase().lastIndexOf(' then ')) + 1);
  if (DELETE_RIGHT_BEFORE.test(clause)) return true;
  return lastIndex(READ, clause) > lastIndex(ACTION, clause);
}

function normalise(path: string): string {
  return path.replace(/^\.\//, '');
}

/** Baton only checks the listed files, so a file a step (or item, or sentence) creates but the list forgets is never checked. */
export const filesNotListed: LintRule = {
  id: 'files-not-listed',
  severity: 'warning',
  summary: 'a step, item or sentence names a file that the Files to Create/Modify section does not list',
  check(doc) {
    if (doc.filesSections.length === 0) return []; // files-section reports it
    const listed = doc.spec.expectedFiles.map(normalise);
    const isListed = (path: string) => listed.some((l) => l === path || l.endsWith(`/${path}`) || path.endsWith(`/${l}`));
    const reported = new Set<string>();
    const hits = [];
    for (const instruction of doc.instructions) {
      for (const line of instruction.lines) {
        const text = withoutPlaceholders(line.text);
        for (const mention of filesMentionedIn(text)) {
          const path = normalise(mention.path);
          if (reported.has(path) || isListed(path) || onlyReadOrDeleted(text, mention.index)) continue;
          reported.add(path);
          hits.push({ line: line.number, message: `${instructionName(instruction)} names \`${mention.path}\`, which "Files to Create/Modify" does not list; Baton only checks listed files` });
        }
      }
    }
    return hits;
  },
};
