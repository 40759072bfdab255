import { processFacts } from './facts.js';
import { isProcessAlive } from './liveness.js';

/**
 * Whether `pid` still is the Baton process started for `id` (a run's own supervisor, a plan's
 * driver): alive, and its command line names both its entry script and the id, so a pid the system
 * reused is not taken for it. A command line that cannot be read (another user's process) leaves
 * alive as the answer: only a record's own pid is ever checked.
 */
export function isEntryProcessFor(pid: number, script: string, id: string): boolean {
  if (!isProcessAlive(pid)) return false;
  const commandLine = processFacts().commandLine(pid);
  return commandLine === undefined || (commandLine.includes(script) && commandLine.includes(id));
}
