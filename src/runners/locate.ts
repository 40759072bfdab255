import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { packageRoot } from '../package-root.js';

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** node_modules/.bin folders Baton can see: its own, then those of the projects it is installed in. */
function ownBinDirs(): string[] {
  const dirs: string[] = [];
  let dir = packageRoot();
  for (;;) {
    dirs.push(join(dir, 'node_modules', '.bin'));
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return dirs;
}

/** Finds an executable in Baton's own node_modules first, then on PATH. */
export function findExecutable(name: string, env: NodeJS.ProcessEnv = process.env): string | null {
  if (name.includes('/')) return isExecutable(name) ? name : null;
  const pathDirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const dir of [...ownBinDirs(), ...pathDirs]) {
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

export class MissingBinaryError extends Error {
  constructor(readonly binary: string) {
    super(
      `runner binary "${binary}" not found in Baton's node_modules/.bin or on PATH; install it (npm install ${binary === 'oh-my-opencode' ? 'oh-my-opencode' : binary === 'opencode' ? 'opencode-ai' : binary}) or put it on PATH`,
    );
  }
}

export function requireExecutable(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const found = findExecutable(name, env);
  if (!found) throw new MissingBinaryError(name);
  return found;
}
