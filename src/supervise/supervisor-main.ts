import { batonHome } from '../store/paths.js';
import { handshakeWriter, superviseRun } from './supervisor.js';

// The supervisor must outlive the terminal and the caller that launched it.
for (const signal of ['SIGHUP', 'SIGINT', 'SIGPIPE'] as const) process.on(signal, () => undefined);

const runId = process.argv[2];
const report = handshakeWriter();
if (!runId) {
  report({ error: 'supervisor started without a run id' });
  process.exitCode = 2;
} else {
  superviseRun(runId, batonHome(), report).then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`supervisor for ${runId} failed: ${error instanceof Error ? error.stack : String(error)}\n`);
      report({ error: error instanceof Error ? error.message : String(error) });
      process.exit(1);
    },
  );
}
