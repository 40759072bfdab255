import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The supervisor host's entry script; its command line names it and the home it serves. */
export const HOST_SCRIPT = 'supervisor-host-main.js';

/** Where launchers reach the host of a Baton home. */
export function hostSocketPath(home: string): string {
  return join(home, 'supervisor.sock');
}

/** Present while a launcher's host is starting, so that launchers at once start one host, not one each. */
export function hostStartingMarker(home: string): string {
  return join(home, 'supervisor-host.starting');
}

/** Unix socket paths are limited to 107 bytes on Linux; a longer home gets one supervisor per run. */
export function hostSocketUsable(home: string): boolean {
  return Buffer.byteLength(hostSocketPath(home)) <= 107;
}

/** The process's start time in clock ticks since boot (with the pid, it names one process for ever). */
export function processStartTicks(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** Whether `pid` is a supervisor host of `home` (and, given its start time, that very process). */
export function isHostProcess(pid: number, home: string, startTicks?: string): boolean {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    if (!argv.some((arg) => arg.endsWith(HOST_SCRIPT)) || !argv.includes(home)) return false;
  } catch {
    return false;
  }
  return startTicks === undefined || processStartTicks(pid) === startTicks;
}
