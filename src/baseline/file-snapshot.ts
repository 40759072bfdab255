import { opendir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { FileChange } from './types.js';

/** path → [size, mtimeMs] */
export type FileSnapshot = Record<string, [number, number]>;

const SKIPPED_DIRS = new Set(['.git', 'node_modules', '.hg', '.svn']);
export const SNAPSHOT_FILE_LIMIT = 50_000;

export async function snapshotFiles(root: string): Promise<{ files: FileSnapshot; truncated: boolean }> {
  const files: FileSnapshot = {};
  let count = 0;
  let truncated = false;
  async function walk(dir: string): Promise<void> {
    let handle;
    try {
      handle = await opendir(dir);
    } catch {
      return;
    }
    for await (const entry of handle) {
      if (count >= SNAPSHOT_FILE_LIMIT) {
        truncated = true;
        return;
      }
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) await walk(full);
      } else if (entry.isFile()) {
        try {
          const info = await stat(full);
          files[relative(root, full)] = [info.size, Math.floor(info.mtimeMs)];
          count++;
        } catch {
          // Vanished while walking: not part of the snapshot.
        }
      }
    }
  }
  await walk(root);
  return { files, truncated };
}

export async function saveSnapshot(path: string, snapshot: FileSnapshot): Promise<void> {
  await writeFile(path, JSON.stringify(snapshot), { mode: 0o600 });
}

export async function loadSnapshot(path: string): Promise<FileSnapshot> {
  return JSON.parse(await readFile(path, 'utf8')) as FileSnapshot;
}

export function compareSnapshots(before: FileSnapshot, after: FileSnapshot): FileChange[] {
  const changes: FileChange[] = [];
  for (const [path, [size, mtime]] of Object.entries(after)) {
    const old = before[path];
    if (!old) changes.push({ path, change: 'added' });
    else if (old[0] !== size || old[1] !== mtime) changes.push({ path, change: 'modified' });
  }
  for (const path of Object.keys(before)) {
    if (!(path in after)) changes.push({ path, change: 'deleted' });
  }
  return changes.sort((a, b) => a.path.localeCompare(b.path));
}
