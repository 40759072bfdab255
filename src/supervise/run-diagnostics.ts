import { appendFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Writes a line to the run's own supervisor.log. One host process supervises many runs, so its
 * stderr is no place for a run's diagnostics; each run's go beside its output. A write that fails
 * (a full disk) is dropped, never a crash: the caller says it again when it can.
 */
export function diagnose(runDir: string, line: string): void {
  try {
    appendFileSync(join(runDir, 'supervisor.log'), line.endsWith('\n') ? line : `${line}\n`, { mode: 0o600 });
  } catch {
    // Nowhere left to say it.
  }
}
