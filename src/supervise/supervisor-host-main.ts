import { serveHost } from './host.js';

// The host must outlive the terminal and the launcher that started it.
for (const signal of ['SIGHUP', 'SIGINT', 'SIGPIPE'] as const) process.on(signal, () => undefined);

/** Without runs for this long the host exits; the next launch starts a new one. */
const DEFAULT_IDLE_MS = 15_000;

const home = process.argv[2];
const idle = Number(process.env.BATON_HOST_IDLE_MS);
const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
// One run's failure (a store write that timed out in a timer, say) must not end every other run's
// supervision: say so and go on, as that run's own supervisor process would have been the only loss.
process.on('uncaughtException', (error) => log(`uncaught: ${error.stack ?? error.message}`));
if (!home) {
  log('supervisor host started without a Baton home');
  process.exitCode = 2;
} else {
  serveHost(home, idle > 0 ? idle : DEFAULT_IDLE_MS, log).then(
    (served) => {
      if (!served) log(`another host already serves ${home}; ${process.pid} exits`);
      process.exit(0);
    },
    (error: unknown) => {
      log(`supervisor host failed: ${error instanceof Error ? error.stack : String(error)}`);
      process.exit(1);
    },
  );
}
