import type { RunStatus } from '../report.js';
import { formatDuration } from '../duration.js';
import { escapeControls } from '../text.js';
import { ago, number } from '../present/brief.js';
import type { Style } from './style.js';

export function formatTable(runs: RunStatus[], style: Style, now = Date.now()): string {
  if (runs.length === 0) return style.dim('no runs');
  const header = ['ID', 'STATE', 'RUNNER', 'AGE', 'ELAPSED', 'LINES', 'NAME / DIR'];
  const rows = runs.map((r) => [
    r.id,
    r.state,
    escapeControls([r.runner, r.agent].filter(Boolean).join('/')),
    r.startedAt ? ago(r.startedAt, now) : '-',
    formatDuration(r.elapsedMs),
    number(r.outputLines),
    escapeControls(`${r.name ? `${r.name} (${r.dir})` : r.dir}${r.worker ? ` @${r.worker.name}` : ''}`),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const render = (cells: string[], colour = false) =>
    cells
      .map((cell, i) => {
        const padded = i === cells.length - 1 ? cell : cell.padEnd(widths[i]!);
        return colour && i === 1 ? padded.replace(cell, style.state(cell)) : padded;
      })
      .join('  ');
  return [style.dim(render(header)), ...rows.map((row) => render(row, true))].join('\n');
}
