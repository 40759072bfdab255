import type { WorkerView } from '../cluster/workers.js';
import { escapeControls } from '../text.js';
import type { BriefStyle } from './brief.js';

/** The cluster's workers, one line each, as `baton workers` prints them and the MCP `workers` tool says them. */
export function formatWorkers(workers: WorkerView[], s: BriefStyle): string {
  if (workers.length === 0) return s.dim('no workers have registered yet; start one with baton worker --redis URL');
  return workers
    .map((w) => {
      // Alive in the colour of a running run.
      const health = w.health === 'alive' ? s.state('running').replace('running', 'alive') : w.health === 'lost' ? s.red('lost') : s.dim('stopped');
      const runners = w.runners.map((r) => (r.version ? `${r.name} ${r.version}` : r.name)).join(', ');
      return `${s.bold(escapeControls(w.name))} ${health} · ${escapeControls(w.host)} pid ${w.pid} · slots ${w.slotsUsed}/${w.slots} used · runners ${escapeControls(runners)} · last heartbeat ${w.lastHeartbeat}${w.running.length ? ` · running ${w.running.join(', ')}` : ''}`;
    })
    .join('\n');
}
