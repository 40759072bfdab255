import { processFacts } from '../processes/index.js';
import { claimHostRow } from '../store/host-lock.js';
import { isHostProcess } from './host-identity.js';

/**
 * Makes this process the one supervisor host of `home`, unless a live one already is. The check and the
 * take-over are one step, so two hosts started at once end with one, and a dead host's leftover row is
 * taken over instead of blocking for ever. Returns the release, or null.
 */
export function claimHostLock(home: string): (() => void) | null {
  const mine = { pid: process.pid, startTicks: processFacts().startToken(process.pid) ?? '' };
  return claimHostRow(home, mine, (holder) => holder.pid !== process.pid && isHostProcess(holder.pid, home, holder.startTicks));
}
