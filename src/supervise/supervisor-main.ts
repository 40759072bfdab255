import { openStore } from '../store/index.js';
import { batonHome } from '../store/paths.js';
import { claimRun, superviseClaimed } from './claim.js';
import { handshakeWriter } from './supervisor.js';

// The supervisor must outlive the terminal and the caller that launched it.
for (const signal of ['SIGHUP', 'SIGINT', 'SIGPIPE'] as const) process.on(signal, () => undefined);

// One run's own supervisor (when the home's supervisor host cannot be used): it answers the launcher
// as soon as it has claimed the run, then takes the baseline and starts the agent.
const runId = process.argv[2];
const report = handshakeWriter();
if (!runId) {
  report({ error: 'supervisor started without a run id' });
  process.exitCode = 2;
} else {
  const home = batonHome(process.env);
  const store = openStore(home);
  const claimed = claimRun(store, runId, home, process.env);
  if (typeof claimed === 'string') {
    report({ error: claimed });
    store.close();
    process.exitCode = 1;
  } else {
    report({});
    superviseClaimed(store, claimed, home, process.env).then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`supervisor for ${runId} failed: ${error instanceof Error ? error.stack : String(error)}\n`);
        process.exit(1);
      },
    );
  }
}
