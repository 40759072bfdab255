import { lstat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Files bigger than this are not hashed into a snapshot: reading a 1.5 GB file takes tens of seconds
 * on a busy disk and every launch would do it again. They are compared by size and mtime instead.
 * BATON_LARGE_FILE_BYTES in the env Baton was given overrides it.
 */
export const LARGE_FILE_BYTES = 32 * 1024 * 1024;

export function largeFileBytes(env: NodeJS.ProcessEnv): number {
  const value = Number(env.BATON_LARGE_FILE_BYTES);
  return Number.isSafeInteger(value) && value > 0 ? value : LARGE_FILE_BYTES;
}

export interface SkippedFile {
  path: string;
  size: number;
  mtimeMs: number;
  /** The placeholder blob standing for the file in the snapshot tree. */
  placeholder?: string;
}

/** The placeholder's content: changes whenever the file's size or mtime does, so tree diffs see it. */
export function placeholderText(file: SkippedFile): string {
  return `[baton] not hashed: ${file.size} bytes, modified ${new Date(file.mtimeMs).toISOString()} (${file.mtimeMs})\n`;
}

/**
 * Untracked files and tracked files whose stat differs from the index (the ones `git add` would read)
 * that are over the large-file bound. Ignored files are never read anyway.
 */
export async function findLargeFiles(repoRoot: string, git: (args: string[]) => Promise<string>, limit: number): Promise<SkippedFile[]> {
  const [untracked, touched] = await Promise.all([
    git(['ls-files', '-z', '-o', '--exclude-standard', '--full-name', '--', ':/']),
    git(['diff-files', '-z', '--name-only']),
  ]);
  const candidates = new Set([...untracked.split('\0'), ...touched.split('\0')].filter(Boolean));
  const large: SkippedFile[] = [];
  for (const path of candidates) {
    try {
      const info = await lstat(join(repoRoot, path));
      if (info.isFile() && info.size > limit) large.push({ path, size: info.size, mtimeMs: Math.floor(info.mtimeMs) });
    } catch {
      // Gone since git listed it: `git add -A` records the deletion.
    }
  }
  return large.sort((a, b) => a.path.localeCompare(b.path));
}
