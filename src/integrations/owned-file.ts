import { createHash } from 'node:crypto';

/**
 * Files Baton writes into a user's project (skills, slash commands) carry a marker line with the
 * hash of the rest of the file as Baton wrote it. That lets a later `baton init` tell its own
 * untouched earlier version (safe to replace) from a file the user edited (left alone).
 */
const MARKER_PREFIX = '<!-- written by baton init claude; edit freely: baton init will not overwrite a file you edited';
const MARKER_LINE = /^<!-- written by baton init claude\b.*\(baton-hash: ([0-9a-f]{16})\) -->\r?\n?/m;

export type OwnedFileAction = 'created' | 'updated' | 'unchanged' | 'kept';

export interface OwnedFileDecision {
  action: OwnedFileAction;
  /** Why a file was kept. */
  note?: string;
}

function hashOf(text: string): string {
  return createHash('sha256').update(text.replace(/\r\n/g, '\n')).digest('hex').slice(0, 16);
}

/**
 * Puts the marker into `content`: after the YAML front matter when there is one (Claude Code wants
 * the front matter first), else on the first line.
 */
export function withMarker(content: string): string {
  const marker = `${MARKER_PREFIX} (baton-hash: ${hashOf(content)}) -->\n`;
  const frontMatter = /^---\n[\s\S]*?\n---\n/.exec(content);
  if (!frontMatter) return marker + content;
  const end = frontMatter[0].length;
  return content.slice(0, end) + marker + content.slice(end);
}

/** Whether `text` is exactly what some version of Baton wrote: it has a marker, and the rest still hashes to it. */
export function isUntouchedBatonFile(text: string): boolean {
  const match = MARKER_LINE.exec(text);
  if (!match) return false;
  const rest = text.slice(0, match.index) + text.slice(match.index + match[0].length);
  return hashOf(rest) === match[1];
}

/**
 * What to do with a file Baton wants to hold `desired` (already marked):
 * missing → created; identical → unchanged; an untouched earlier Baton version → updated;
 * anything else (edited by the user, or never Baton's) → kept as it is.
 */
export function decideOwnedFile(existing: string | null, desired: string): OwnedFileDecision {
  if (existing === null) return { action: 'created' };
  if (existing === desired) return { action: 'unchanged' };
  if (isUntouchedBatonFile(existing)) return { action: 'updated' };
  return MARKER_LINE.test(existing)
    ? { action: 'kept', note: "edited by you; delete it and run again to get Baton's current version" }
    : { action: 'kept', note: "not written by baton init; delete or rename it to get Baton's version" };
}
