import type { ToolTable } from '../tool-table.js';
import type { Baton } from '../../baton.js';
import { formatWorkers } from '../../present/workers.js';
import { strictInput } from '../input.js';
import { guarded, plain, toolResult } from '../result.js';

export function registerWorkerTools(tools: ToolTable, baton: Baton): void {
  tools.register(
    'workers',
    {
      description: 'Cluster workers: health, slots used/free, runners, last heartbeat.',
      inputSchema: strictInput({}),
      annotations: { readOnlyHint: true },
    },
    () =>
      guarded('workers', async () => {
        const workers = await baton.workers();
        return toolResult(formatWorkers(workers, plain), {
          workers: workers.map((w) => ({ name: w.name, host: w.host, health: w.health, slots: w.slots, slotsUsed: w.slotsUsed, slotsFree: w.slotsFree, runners: w.runners, running: w.running, lastHeartbeat: w.lastHeartbeat })),
        });
      }),
  );
}
