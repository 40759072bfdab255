import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { execFile } from 'node:child_process';

/**
 * A git object directory Baton owns (under $BATON_HOME), which borrows the repository's own objects as
 * an alternate: git finds every object the repo has, and writes the new ones (snapshot blobs and trees)
 * here instead of into the user's `.git`.
 */
export interface ObjectStore {
  /** The Baton-owned directory: `objects/` and scratch index files. */
  dir: string;
  /** Environment that points git at the store; every command that reads its trees needs it. */
  env: Record<string, string>;
}

function repoObjectsDir(repoRoot: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    // --git-path resolves to the common dir's objects from a linked worktree too.
    execFile('git', ['rev-parse', '--path-format=absolute', '--git-path', 'objects'], { cwd: repoRoot }, (error, stdout, stderr) => {
      if (error) reject(new Error(`git rev-parse --git-path objects failed in ${repoRoot}: ${String(stderr).trim() || error.message}`));
      else resolvePromise(stdout.trim());
    });
  });
}

export async function openObjectStore(repoRoot: string, dir: string): Promise<ObjectStore> {
  const objects = join(dir, 'objects');
  await mkdir(join(objects, 'info'), { recursive: true, mode: 0o700 });
  await mkdir(join(objects, 'pack'), { recursive: true, mode: 0o700 });
  return { dir, env: { GIT_OBJECT_DIRECTORY: objects, GIT_ALTERNATE_OBJECT_DIRECTORIES: await repoObjectsDir(repoRoot) } };
}
