/**
 * Runs the real agent CLIs against the mock model in tests: temporary git repos, free ports,
 * process-group spawning with a hard timeout, and one warmed XDG config/cache dir shared by all
 * tests (opencode npm-installs its plugin dependencies there on first use).
 */
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** Baton's own node_modules/.bin, from dist/test/mock-model/. */
export const BIN_DIR = fileURLToPath(new URL('../../../node_modules/.bin/', import.meta.url));
export const SHARED_XDG_DIR = join(tmpdir(), 'baton-test-shared');

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function makeTempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** A git repository with one commit, like the projects agents are pointed at. */
export async function makeGitRepo(): Promise<string> {
  const dir = await makeTempDir('baton-repo-');
  const git = (...args: string[]) => promisify(execFile)('git', ['-C', dir, ...args]);
  await git('init', '-q', '-b', 'main');
  await writeFile(join(dir, 'README.md'), '# scratch repo\n');
  await git('add', 'README.md');
  await git('-c', 'user.name=Baton Test', '-c', 'user.email=test@baton.invalid', 'commit', '-q', '-m', 'initial');
  return dir;
}

export interface AgentRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd: string;
  env: Record<string, string>;
  /** Written to stdin, which is then closed; without it stdin is empty. */
  stdin?: string;
  timeoutMs: number;
}

const children = new Set<number>();

/**
 * Spawns `node_modules/.bin/<bin>` in its own process group and waits for it; on timeout the whole
 * group gets SIGTERM, then SIGKILL (oh-my-opencode starts an opencode server child).
 */
export function runAgent(bin: string, args: string[], options: RunOptions): Promise<AgentRun> {
  const child = spawn(join(BIN_DIR, bin), args, {
    cwd: options.cwd,
    env: {
      ...process.env,
      PATH: `${BIN_DIR}${delimiter}${process.env.PATH ?? ''}`,
      // opencode (a Bun binary) takes its working directory from an inherited PWD over the real cwd.
      PWD: options.cwd,
      ...options.env,
    },
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid !== undefined) children.add(pid);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  child.stdin.on('error', () => undefined);
  child.stdin.end(options.stdin ?? '');

  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (pid !== undefined) void killGroup(pid);
  }, options.timeoutMs);

  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      // The CLI may have left children of its own in the group.
      if (pid !== undefined) void killGroup(pid).then(() => children.delete(pid));
      resolve({ exitCode, signal, timedOut, stdout, stderr });
    });
  });
}

/** Kills every agent process group still running; for `after` hooks of failed tests. */
export async function killAllAgents(): Promise<void> {
  await Promise.all([...children].map((pid) => killGroup(pid)));
  children.clear();
}

async function killGroup(pid: number, graceMs = 2000): Promise<void> {
  if (!signalGroup(pid, 'SIGTERM')) return;
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    if (!signalGroup(pid, 0)) return;
  }
  signalGroup(pid, 'SIGKILL');
}

/** Signals the process group `pid` leads; false when the group no longer exists. */
function signalGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

const WARM_MARKER = join(SHARED_XDG_DIR, '.warm');
const WARM_LOCK = join(SHARED_XDG_DIR, '.warming');
/** A lock older than this is left over from a killed test run and is taken over. */
const STALE_LOCK_MS = 5 * 60_000;

/**
 * Makes sure `warm` has run once against the shared dir, across concurrent test processes: the
 * first to create the lock directory warms up, the others wait for the marker file.
 */
export async function ensureSharedDirWarm(warm: () => Promise<void>): Promise<void> {
  await mkdir(SHARED_XDG_DIR, { recursive: true });
  // Past a stale lock's age twice over, another warm-up is not coming: fail rather than hang the file.
  const deadline = Date.now() + 2 * STALE_LOCK_MS;
  for (;;) {
    if (await exists(WARM_MARKER)) return;
    if (Date.now() > deadline) throw new Error(`the shared XDG dir ${SHARED_XDG_DIR} was not warmed within ${(2 * STALE_LOCK_MS) / 60_000} minutes`);
    if (await tryLock()) {
      try {
        await warm();
        await writeFile(WARM_MARKER, `${new Date().toISOString()}\n`);
      } finally {
        await rm(WARM_LOCK, { recursive: true, force: true });
      }
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function tryLock(): Promise<boolean> {
  try {
    await mkdir(WARM_LOCK);
    return true;
  } catch {
    const age = await stat(WARM_LOCK).then(
      (info) => Date.now() - info.mtimeMs,
      () => 0,
    );
    if (age > STALE_LOCK_MS) await rm(WARM_LOCK, { recursive: true, force: true });
    return false;
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
