import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { packageRoot } from '../package-root.js';
import { npmPackageOf } from './registry.js';

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

/** BATON_OPENCODE_BIN, BATON_OH_MY_OPENCODE_BIN, …: pins the executable used for `name`. */
export function overrideVariable(name: string): string {
  return `BATON_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_BIN`;
}

/**
 * Finds an executable: the path pinned by its BATON_<NAME>_BIN variable if set, else Baton's own
 * node_modules/.bin, else PATH.
 */
export function findExecutable(name: string, env: NodeJS.ProcessEnv): string | null {
  const pinned = env[overrideVariable(name)];
  if (pinned) return findExecutable(pinned, { PATH: env.PATH });
  if (name.includes('/')) return isExecutable(name) ? name : null;
  const pathDirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const dir of [...ownBinDirs(), ...pathDirs]) {
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

export class MissingBinaryError extends Error {
  constructor(
    readonly binary: string,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    const pinned = env[overrideVariable(binary)];
    // An executable no runner installs (a cmd template's) gets no npm advice: its name need not be a package.
    const npmPackage = npmPackageOf(binary);
    const install = npmPackage === undefined ? 'install it' : `install it (npm install ${npmPackage})`;
    super(
      pinned
        ? `runner binary "${binary}" not found at ${pinned} (set by ${overrideVariable(binary)})`
        : `runner binary "${binary}" not found in Baton's node_modules/.bin or on PATH; ${install}, put it on PATH or set ${overrideVariable(binary)}`,
    );
  }
}

export function requireExecutable(name: string, env: NodeJS.ProcessEnv): string {
  const found = findExecutable(name, env);
  if (!found) throw new MissingBinaryError(name, env);
  return found;
}
