import { chmodSync, rmSync, statSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { openStore, type Store } from '../store/index.js';
import { claimRun, superviseClaimed } from './claim.js';
import { hostSocketPath, hostStartingMarker } from './host-identity.js';
import { claimHostLock } from './host-lock.js';
import type { HostReply, HostRequest } from './host-protocol.js';

/** A request line longer than this is no launcher's (an environment is a few kB). */
const MAX_REQUEST_BYTES = 4 << 20;

/**
 * One process that supervises every run of a Baton home: launchers ask it over a unix socket (0600,
 * in the home) to take a run; each run gets its own Supervision, all sharing one store handle. It
 * answers as soon as it has claimed the run, before the baseline and the agent's start, and retires
 * after `idleMs` without runs. Resolves when it has retired and its last run has ended; resolves at
 * once (false) when another host already serves the home.
 */
export async function serveHost(home: string, idleMs: number, log: (line: string) => void): Promise<boolean> {
  const release = claimHostLock(home);
  if (!release) return false;
  const store = openStore(home);
  // Supervisions close their store when their run ends; here the handle is shared by all of them.
  const shared: Store = { ...store, close: () => undefined };
  const path = hostSocketPath(home);
  rmSync(path, { force: true });
  let active = 0;
  let retired = false;
  let idleTimer: NodeJS.Timeout | undefined;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));

  const server = createServer((socket) => serve(socket));
  const previousMask = process.umask(0o077);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => resolve());
    });
  } finally {
    process.umask(previousMask);
  }
  chmodSync(path, 0o600);
  const boundInode = statSync(path).ino;
  rmSync(hostStartingMarker(home), { force: true });
  log(`host ${process.pid} serving ${home}`);

  const armIdle = () => {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = setTimeout(retire, idleMs);
  };
  const retire = () => {
    if (retired) return;
    retired = true;
    // Socket gone before the lock is released: a new host binds only after it holds the lock.
    try {
      if (statSync(path).ino === boundInode) rmSync(path, { force: true });
    } catch {
      // Already gone (the home was removed).
    }
    server.close();
    try {
      release();
    } catch {
      // The home was removed; nothing left to release.
    }
    log(`host ${process.pid} retiring (${active} run(s) still supervised)`);
    if (active === 0) done();
  };

  function serve(socket: Socket): void {
    let text = '';
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      if (text.length > MAX_REQUEST_BYTES) return socket.destroy();
      const newline = text.indexOf('\n');
      if (newline < 0) return;
      socket.removeAllListeners('data');
      let request: HostRequest;
      try {
        request = JSON.parse(text.slice(0, newline)) as HostRequest;
      } catch {
        return answer(socket, { error: 'malformed request' });
      }
      accept(socket, request);
    });
  }

  function accept(socket: Socket, request: HostRequest): void {
    if (typeof request.runId !== 'string' || typeof request.env !== 'object' || request.env === null) {
      return answer(socket, { error: 'malformed request' });
    }
    const claimed = claimRun(shared, request.runId, home, request.env);
    if (typeof claimed === 'string') {
      log(`refused run ${request.runId}: ${claimed}`);
      return answer(socket, { error: claimed });
    }
    active++;
    if (idleTimer) clearTimeout(idleTimer);
    answer(socket, { claimed: true });
    void superviseClaimed(shared, claimed, home, request.env).finally(() => {
      active--;
      log(`run ${claimed.id} settled; ${active} run(s) supervised`);
      if (active > 0) return;
      if (retired) done();
      else armIdle();
    });
  }

  armIdle();
  await finished;
  store.close();
  return true;
}

function answer(socket: Socket, reply: HostReply): void {
  socket.end(`${JSON.stringify(reply)}\n`);
}
