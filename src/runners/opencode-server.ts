/**
 * An `opencode serve` that oh-my-opencode attaches to instead of starting its own. oh-my-opencode
 * gives the server it starts a fixed 5 s (the SDK's createOpencodeServer), which a loaded machine
 * misses; a server that is already listening on its `--port` is used as is, and never closed by it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { get } from 'node:http';

export interface OpencodeServerOptions {
  /** Absolute path of the opencode executable. */
  opencode: string;
  port: number;
  /** The run's working directory: the server's cwd, and the instance it must have loaded. */
  directory: string;
  /** Where the server's own output goes (kept out of the run's log, which a parser reads). */
  logPath: string;
  env: NodeJS.ProcessEnv;
}

export interface OpencodeServer {
  child: ChildProcess;
  url: string;
  /** Settles when the server process ends, with how it ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * The environment oh-my-opencode would give the server it starts itself: it marks its own process as
 * a `run` client before spawning (the plugin inside the server reads these), and replaces
 * OPENCODE_CONFIG_CONTENT with the SDK's empty inline config.
 */
export function serverEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, OPENCODE_CLI_RUN_MODE: 'true', OPENCODE_CLIENT: 'run', OPENCODE_CONFIG_CONTENT: '{}' };
}

/** Starts the server in the caller's process group (not detached), so killing the run's group takes it too. */
export function spawnOpencodeServer(options: OpencodeServerOptions): OpencodeServer {
  const logFd = openSync(options.logPath, 'a', 0o600);
  const child = spawn(options.opencode, ['serve', '--hostname=127.0.0.1', `--port=${options.port}`], {
    cwd: options.directory,
    env: { ...serverEnvironment(options.env), PWD: options.directory },
    stdio: ['ignore', logFd, logFd],
  });
  closeSync(logFd);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: null, signal: null }));
  });
  return { child, url: `http://127.0.0.1:${options.port}`, exited };
}

/** oh-my-opencode's own header for a loopback server guarded by OPENCODE_SERVER_PASSWORD. */
function authHeaders(env: NodeJS.ProcessEnv): Record<string, string> {
  const password = env.OPENCODE_SERVER_PASSWORD;
  if (!password) return {};
  const username = env.OPENCODE_SERVER_USERNAME ?? 'opencode';
  return { Authorization: `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}` };
}

/**
 * A request that reaches opencode while it is still starting is never answered (seen with 1.18: the
 * first connection after the port opens hangs for good while later ones are served), so each request
 * is abandoned after a while and asked again; the while doubles, up to a cap, so that a merely
 * starved server gets time to answer.
 */
const FIRST_REQUEST_TIMEOUT_MS = 1_000;
const MAX_REQUEST_TIMEOUT_MS = 30_000;
const POLL_MS = 250;

export class ServerExitedError extends Error {}

/**
 * Waits until the server answers HTTP for `directory`: first its health route, then a route scoped to
 * the directory, which makes it load that project's instance (config, plugins: oh-my-opencode itself)
 * before the run's first real request. Any HTTP answer counts, errors included: they are the run's to
 * report. No time limit of its own: a slow machine only makes it slower. It ends when the server
 * answers or exits (ServerExitedError); the run's timeout or a kill ends it with the process.
 */
export async function waitUntilServing(server: OpencodeServer, directory: string, env: NodeJS.ProcessEnv): Promise<void> {
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const gone = new AbortController();
  void server.exited.then((end) => {
    exit = end;
    gone.abort();
  });
  const headers = authHeaders(env);
  let requestTimeoutMs = FIRST_REQUEST_TIMEOUT_MS;
  // node:http rather than fetch: this runs in a small launcher process per run, and loading fetch's
  // undici costs it ~20 MB. A fresh connection per try (agent: false), never a pooled dead one.
  const answers = (path: string) =>
    new Promise<boolean>((resolve) => {
      let complete = false;
      const request = get(`${server.url}${path}`, { headers, agent: false }, (response) => {
        response.once('end', () => (complete = true));
        response.resume();
      });
      const abort = () => request.destroy();
      const timer = setTimeout(() => {
        requestTimeoutMs = Math.min(requestTimeoutMs * 2, MAX_REQUEST_TIMEOUT_MS);
        abort();
      }, requestTimeoutMs);
      gone.signal.addEventListener('abort', abort);
      request.once('error', () => undefined);
      request.once('close', () => {
        clearTimeout(timer);
        gone.signal.removeEventListener('abort', abort);
        resolve(complete);
      });
    });
  for (const path of ['/global/health', `/config?directory=${encodeURIComponent(directory)}`]) {
    for (;;) {
      if (exit) {
        const how = exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
        throw new ServerExitedError(`the opencode server exited before it answered (${how})`);
      }
      if (await answers(path)) break;
      if (!exit) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
}
