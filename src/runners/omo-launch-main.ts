/**
 * The process an omo run starts: `opencode serve` first, waited for as long as it takes, then
 * `oh-my-opencode run --port N …`, which finds the port taken and attaches to that server instead of
 * starting its own with a fixed 5 s limit. A node process rather than a shell wrapper, so that the
 * prompt stays one argv element all the way and readiness is an HTTP answer, not an open port.
 *
 * argv: <opencode> <port> <directory> <server log> -- <oh-my-opencode> <its args…>
 * This process leads the run's process group; the server and oh-my-opencode stay in it, so a kill of
 * the group (baton kill, --timeout, the supervisor's end-of-run cleanup) takes all three.
 */
import { spawn } from 'node:child_process';
import { formatDuration } from '../duration.js';
import { spawnOpencodeServer, ServerExitedError, waitUntilServing, type OpencodeServer } from './opencode-server.js';

const STOP_GRACE_MS = 2_000;
const say = (line: string) => process.stdout.write(`[baton] ${line}\n`);

function parseArgs(argv: string[]) {
  const [opencode, port, directory, logPath, separator, omo, ...omoArgs] = argv;
  if (!opencode || !port || !directory || !logPath || separator !== '--' || !omo) {
    throw new Error('usage: omo-launch-main <opencode> <port> <directory> <server log> -- <oh-my-opencode> <args…>');
  }
  return { opencode, port: Number(port), directory, logPath, omo, omoArgs };
}

async function stopServer(server: OpencodeServer): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), STOP_GRACE_MS);
  await server.exited;
  clearTimeout(timer);
}

/** Ends this process the way its child ended, so the supervisor sees a signal as a signal. */
function exitLike(code: number | null, signal: NodeJS.Signals | null): never {
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  }
  process.exit(code ?? 1);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const server = spawnOpencodeServer({ ...args, env: process.env });
  let omo: ReturnType<typeof spawn> | undefined;
  let received: NodeJS.Signals | undefined;
  // A signal meant for the run (a group kill reaches all of us anyway) must end the run, not read as
  // a server that failed to start, which the supervisor would retry.
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.on(signal, () => {
      received = signal;
      omo?.kill(signal);
      server.child.kill(signal);
    });
  }
  const startedAt = Date.now();
  say(
    `started the opencode server (pid ${server.child.pid}) at ${server.url}, output in ${args.logPath}; ` +
      'waiting for it to answer with no time limit of its own (the run\'s --timeout and stall detection still apply)',
  );
  try {
    await waitUntilServing(server, args.directory, process.env);
  } catch (error) {
    if (received) return exitLike(null, received);
    if (!(error instanceof ServerExitedError)) throw error;
    // "Error: " starts an error block in the omo log parser; the runner treats this as a start failure.
    process.stdout.write(`Error: ${error.message}; see ${args.logPath}\n`);
    return exitLike(1, null);
  }
  if (received) return exitLike(null, received);
  say(`the opencode server answered after ${formatDuration(Date.now() - startedAt)}; starting oh-my-opencode attached to it`);
  omo = spawn(args.omo, args.omoArgs, { stdio: 'inherit' });
  const end = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    omo!.once('exit', (code, signal) => resolve({ code, signal }));
    omo!.once('error', (error) => {
      process.stdout.write(`Error: could not start ${args.omo}: ${error.message}\n`);
      resolve({ code: 1, signal: null });
    });
  });
  // oh-my-opencode never closes a server it attached to.
  await stopServer(server);
  exitLike(end.code, end.signal ?? received ?? null);
}

main().catch((error: unknown) => {
  process.stdout.write(`Error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
