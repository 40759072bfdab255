import { Baton } from '../baton.js';
import { batonHome } from '../store/paths.js';
import { PlanDriver } from './driver.js';

// The plan driver outlives the terminal and the command that started it.
for (const signal of ['SIGHUP', 'SIGINT', 'SIGPIPE'] as const) process.on(signal, () => undefined);

const planRunId = process.argv[2];
if (!planRunId) {
  process.stderr.write('plan driver started without a plan run id\n');
  process.exitCode = 2;
} else {
  const baton = new Baton({ home: batonHome(process.env), env: process.env });
  new PlanDriver(baton, planRunId).drive().then(
    () => {
      baton.close();
      process.exit(0);
    },
    (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`plan driver for ${planRunId} failed: ${error instanceof Error ? error.stack : message}\n`);
      try {
        baton.store.plans.updatePlanRun(planRunId, { state: 'failed', reasons: [`the plan driver failed: ${message}`], endedAt: Date.now() });
      } finally {
        baton.close();
        process.exit(1);
      }
    },
  );
}
