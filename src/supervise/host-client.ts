import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HOST_SCRIPT, hostSocketPath, hostStartingMarker } from './host-identity.js';
import type { HostReply, HostRequest } from './host-protocol.js';

const HOST_MAIN = fileURLToPath(new URL(`./${HOST_SCRIPT}`, import.meta.url));
const RETRY_MS = 25;
/** A host that keeps dying at start-up is not started again and again until the deadline. */
const MAX_HOST_STARTS = 3;
/** A start marker older than this belongs to a host that never came up. */
const STARTING_FRESH_MS = 5_000;

/** The host's answer, or `unknown` when none came (then the launcher must settle who owns the run). */
export type SupervisionAnswer = HostReply | { unknown: string };

/**
 * Hands a stored run to the home's supervisor host, starting one when none listens. Two launchers
 * that both start a host end with one: the loser exits and both reach the winner.
 */
export async function requestSupervision(home: string, request: HostRequest, deadline: number): Promise<SupervisionAnswer> {
  const path = hostSocketPath(home);
  let started: ChildProcess | undefined;
  let startedExited = false;
  let starts = 0;
  for (;;) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) return { unknown: `no supervisor host of ${home} answered in time; see ${join(home, 'supervisor-host.log')}` };
    const attempt = await ask(path, request, remaining);
    // Lost: the host went away before answering (it was retiring, or died). Asking again is safe: if
    // it had claimed the run, the next host refuses it and the launcher finds it claimed.
    if (attempt === 'lost') {
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      continue;
    }
    if (attempt !== 'absent') return attempt;
    if ((!started || startedExited) && mayStartHost(home)) {
      if (starts === MAX_HOST_STARTS) return { unknown: `the supervisor host of ${home} exited ${starts} times without serving; see ${join(home, 'supervisor-host.log')}` };
      starts++;
      started = startHost(home, request.env);
      startedExited = false;
      started.once('exit', () => (startedExited = true));
    }
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
  }
}

/**
 * Whether this launcher should start a host: not while another launcher's host is starting (a burst of
 * launches into a new home would otherwise start one host each, all but one to exit at once). Only an
 * optimisation: the host lock, not this marker, makes sure one host serves.
 */
function mayStartHost(home: string): boolean {
  const marker = hostStartingMarker(home);
  try {
    closeSync(openSync(marker, 'wx', 0o600));
    return true;
  } catch {
    try {
      if (Date.now() - statSync(marker).mtimeMs < STARTING_FRESH_MS) return false;
      rmSync(marker, { force: true });
    } catch {
      // Removed meanwhile: the host is up, or starting again is fine.
    }
    return true;
  }
}

function startHost(home: string, env: NodeJS.ProcessEnv): ChildProcess {
  const logFd = openSync(join(home, 'supervisor-host.log'), 'a', 0o600);
  const child = spawn(process.execPath, [HOST_MAIN, home], {
    detached: true,
    stdio: ['ignore', logFd, logFd],
    env: { ...env, BATON_HOME: home, BATON_SUPERVISOR: '1' },
  });
  closeSync(logFd);
  child.on('error', () => undefined);
  child.unref();
  return child;
}

/** One request over the socket: the answer, 'absent' when nothing listens, 'lost' when the host went away first. */
function ask(path: string, request: HostRequest, timeoutMs: number): Promise<SupervisionAnswer | 'absent' | 'lost'> {
  return new Promise((resolve) => {
    const socket = connect(path);
    let text = '';
    let connected = false;
    const settle = (answer: SupervisionAnswer | 'absent' | 'lost') => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => settle({ unknown: `the supervisor host did not answer within ${Math.round(timeoutMs / 1000)}s` }), timeoutMs);
    socket.on('connect', () => {
      connected = true;
      socket.write(`${JSON.stringify(request)}\n`);
    });
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const newline = text.indexOf('\n');
      if (newline < 0) return;
      try {
        settle(JSON.parse(text.slice(0, newline)) as HostReply);
      } catch {
        settle({ unknown: 'the supervisor host answered nonsense' });
      }
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (!connected && (error.code === 'ENOENT' || error.code === 'ECONNREFUSED')) settle('absent');
      else if (error.code === 'ECONNRESET' || error.code === 'EPIPE') settle('lost');
      else settle({ unknown: `the supervisor host connection failed: ${error.message}` });
    });
    socket.on('close', () => settle('lost'));
  });
}
