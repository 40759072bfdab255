import { rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { diagnose } from './run-diagnostics.js';
import { describeStoreFault, isStoreFault } from '../store/faults.js';
import { databasePath } from '../store/paths.js';
import { storeFaultText, type StoreFault } from '../reasons.js';

/** Set aside at start and given back when the disk fills, so that the verdict still fits in the store. */
const RESERVE_BYTES = 256 * 1024;
/** Less free space than this on the store's disk when the run ends means the disk filled during it. */
const NEARLY_FULL_BYTES = 64 * 1024;

/**
 * Keeps a supervisor alive and truthful when the disk under BATON_HOME fills (the agent's log can
 * do that): a failing store write is logged to supervisor.log once and the run goes on; when it ends,
 * the reserve is freed so its verdict can be written, with the full disk as a reason.
 */
export class DiskGuard {
  private fault: StoreFault | null = null;
  private readonly reservePath: string;

  constructor(
    private readonly home: string,
    private readonly runDir: string,
  ) {
    this.reservePath = join(runDir, 'disk-reserve');
  }

  reserve(): void {
    try {
      writeFileSync(this.reservePath, Buffer.alloc(RESERVE_BYTES), { mode: 0o600 });
    } catch {
      // Already full or not writable: the guard still logs and reports; only the reserve is missing.
      rmSync(this.reservePath, { force: true });
    }
  }

  /** Gives the reserve back when the run ends before its agent started (nothing to settle). */
  release(): void {
    rmSync(this.reservePath, { force: true });
  }

  /** Runs a progress write; a store fault is remembered instead of ending the supervisor (the next write may succeed). */
  attempt(write: () => void): void {
    try {
      write();
    } catch (error) {
      if (!isStoreFault(error)) throw error;
      const advice = describeStoreFault(error, databasePath(this.home)).message;
      const code = (error as { code?: string }).code ?? '';
      this.note(/FULL|ENOSPC|EDQUOT/.test(code) ? { kind: 'disk-full', home: this.home, code } : { kind: 'store-fault', advice }, advice);
    }
  }

  /**
   * Called once the agent has ended, before the verdict is written: the reason to add (null when the
   * store's disk never filled), and the reserve freed so that the verdict fits.
   */
  settle(): StoreFault | null {
    // Progress writes may all have fitted while the agent's log took the last of the space.
    if (this.fault === null && this.nearlyFull()) this.fault = { kind: 'disk-full', home: this.home };
    rmSync(this.reservePath, { force: true });
    if (this.fault === null) return null;
    // Said again now that there is room: the first time may not have fitted into supervisor.log.
    diagnose(this.runDir, `[baton supervisor] run settled after a store fault: ${storeFaultText(this.fault)}`);
    return this.fault;
  }

  /** `fault` goes into the run's reasons, `advice` (where and what to do) into supervisor.log. */
  private note(fault: StoreFault, advice: string): void {
    if (this.fault !== null) return;
    this.fault = fault;
    diagnose(this.runDir, `[baton supervisor] ${new Date().toISOString()} ${advice}; the agent goes on, its verdict is written when it ends`);
  }

  private nearlyFull(): boolean {
    try {
      const fs = statfsSync(this.home);
      return fs.bavail * fs.bsize < NEARLY_FULL_BYTES;
    } catch {
      return false;
    }
  }
}
