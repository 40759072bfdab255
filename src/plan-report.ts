import { formatDuration } from './duration.js';
import { flatLine } from './text.js';
import { formatUsd as money } from './reasons.js';
import type { PlanStatus } from './plans/service.js';

/**
 * A plan run in a few lines, for the lead that drives it (`baton plan wait`, the MCP plan tools): the
 * plan's state and reasons, then one line per phase with what decides the next move (state, time,
 * resumes, fixes, a failed verification, the commit). The full record stays in `baton plan status`.
 */


export function planShortStatus(status: PlanStatus): string {
  const committed = status.phases.filter((p) => p.state === 'committed').length;
  const spent = status.cost > 0 || status.maxCost !== null ? ` · ${money(status.cost)}${status.maxCost !== null ? ` of ${money(status.maxCost)}` : ''}` : '';
  const lines = [`plan ${status.id} ${status.state} · ${committed}/${status.phases.length} phases committed${spent}${status.state === 'running' && !status.driverAlive ? ' · driver not running' : ''}`];
  for (const reason of status.reasons) lines.push(`- ${flatLine(reason, 200)}`);
  for (const phase of status.phases) {
    const bits = [
      phase.durationMs !== null ? formatDuration(phase.durationMs) : null,
      phase.resumes ? `${phase.resumes} resume${phase.resumes > 1 ? 's' : ''}` : null,
      phase.fixes ? `${phase.fixes} fix${phase.fixes > 1 ? 'es' : ''}` : null,
      phase.cost > 0 || phase.maxCost !== null ? `${money(phase.cost)}${phase.maxCost !== null ? ` of ${money(phase.maxCost)}` : ''}` : null,
      phase.verification && !phase.verification.passed ? `verify failed${phase.verification.command ? `: ${flatLine(phase.verification.command, 60)}` : ''}` : null,
      phase.commitSha ? phase.commitSha.slice(0, 7) : null,
      phase.state === 'running' || phase.state === 'blocked' ? phase.runs.at(-1)?.id ?? null : null,
      phase.worker ? `on ${workerWords(phase.worker)}` : null,
    ].filter(Boolean);
    lines.push(`${phase.id} ${phase.state}${bits.length ? ` ${bits.join(' · ')}` : ''}`);
    if (phase.state !== 'committed') for (const reason of phase.reasons) lines.push(`  - ${flatLine(reason, 160)}`);
  }
  return lines.join('\n');
}

/** A cluster worker as plan status names it: `name@host`. */
export function workerWords(worker: { name: string; host: string | null }): string {
  return `${worker.name}@${worker.host ?? '?'}`;
}

/** A plan still running, in one line: the phase under way and how far along the plan is. */
export function planStillGoing(status: PlanStatus): string {
  const index = status.phases.findIndex((p) => p.state !== 'committed' && p.state !== 'skipped');
  const phase = status.phases[index];
  const elapsed = formatDuration(Math.max(0, Date.now() - Date.parse(status.createdAt)));
  return `plan ${status.id} ${status.state} ${elapsed}${phase ? `, phase ${phase.id} ${phase.state} (${index + 1}/${status.phases.length})` : ''}`;
}
