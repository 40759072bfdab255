import { processFacts } from '../../src/processes/index.js';

/** Live Baton processes of this home: the plan driver, the supervisor host and any run's own supervisor. */
export function batonProcesses(planRunId: string, runIds: string[], home: string): number[] {
  const facts = processFacts();
  return facts
    .table()
    .filter((p) => !p.zombie)
    .map((p) => p.pid)
    .filter((pid) => {
      const cmdline = facts.commandLine(pid) ?? '';
      return (
        (cmdline.includes('driver-main.js') && cmdline.includes(planRunId)) ||
        (cmdline.includes('supervisor-main.js') && runIds.some((id) => cmdline.includes(id))) ||
        (cmdline.includes('supervisor-host-main.js') && cmdline.split(' ').includes(home))
      );
    });
}
