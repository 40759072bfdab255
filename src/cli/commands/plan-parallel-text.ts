import type { PhaseStatus, PlanStatus } from '../../plans/service.js';

function ordinal(n: number): string {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/** The phase's state column: its stage where that says more than the state does. */
export function stageWords(phase: PhaseStatus): string {
  switch (phase.stage) {
    case 'waiting-on-needs':
      return 'waiting on needs';
    case 'queued-for-slot':
      return 'queued for a slot';
    case 'queued-to-merge':
      return phase.mergePlace !== null ? `queued to merge (${ordinal(phase.mergePlace)})` : 'queued to merge';
    default:
      return phase.state;
  }
}

/** `needs a, b · worktree PATH on BRANCH · 2 behind`, or '' when a phase has none of these (every serial phase). */
export function phaseDetails(phase: PhaseStatus): string {
  const parts: string[] = [];
  if (phase.needs.length > 0 && phase.state !== 'committed' && phase.state !== 'skipped') parts.push(`needs ${phase.needs.join(', ')}`);
  if (phase.worktree) parts.push(`worktree ${phase.worktree.path} on ${phase.worktree.branch}`);
  if (phase.behind !== null) parts.push(`${phase.behind} behind`);
  return parts.join(' · ');
}

export function overlapWarning(overlap: PlanStatus['overlaps'][number]): string {
  return `phases ${overlap.phases[0]} and ${overlap.phases[1]} may run side by side and both name ${overlap.paths.join(', ')}`;
}

/** plan run --dry-run's picture of a parallel plan: which phases may start together. */
export function wavesText(waves: string[][], maxParallel: number): string {
  return [`waves (up to ${maxParallel} at a time, if phases took equal time):`, ...waves.map((wave, i) => `  ${i + 1}: ${wave.join(', ')}`)].join('\n');
}
