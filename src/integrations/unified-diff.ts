import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';

/**
 * A unified diff of two small texts (config and markdown files), for `baton init --dry-run`.
 * jsdiff computes the hunks (Myers' diff, three lines of context); only the git-style `a/`, `b/` and
 * `/dev/null` names are Baton's, without the `Index:` and `===` lines jsdiff adds by default.
 */
const CONTEXT = 3;

/** `before` null means the file does not exist yet. Empty string when the texts are equal. */
export function unifiedDiff(file: string, before: string | null, after: string): string {
  if (before === after) return '';
  return createTwoFilesPatch(before === null ? '/dev/null' : `a/${file}`, `b/${file}`, before ?? '', after, undefined, undefined, {
    context: CONTEXT,
    headerOptions: FILE_HEADERS_ONLY,
  });
}
