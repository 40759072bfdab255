import { formatDuration } from './duration.js';
import type { RunStatus } from './report.js';

/**
 * One run still going, in a few dozen characters: state, elapsed, output growth since `linesBefore`
 * (or its size, without it), and only what needs the lead (stalled, retrying).
 */
export function stillGoing(s: RunStatus, linesBefore: number | undefined): string {
  const output = linesBefore !== undefined ? `+${Math.max(0, s.outputLines - linesBefore)} lines` : `${s.outputLines} lines`;
  const bits = [`${s.id} ${s.state} ${formatDuration(s.elapsedMs)}, ${output}`];
  if (s.state === 'stalled' && s.idleMs !== null) bits.push(`silent ${formatDuration(s.idleMs)}`);
  if (s.retrying !== null) bits.push(s.retrying.length > 40 ? `${s.retrying.slice(0, 39)}…` : s.retrying);
  return bits.join(', ');
}
