import { join } from 'node:path';
import { processFacts } from '../processes/index.js';

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

/** Whether `pid` is a supervisor host of `home` (and, given its start token, that very process). */
export function isHostProcess(pid: number, home: string, startToken?: string): boolean {
  const facts = processFacts();
  const commandLine = facts.commandLine(pid);
  if (commandLine === undefined || !commandLine.includes(HOST_SCRIPT) || !(commandLine.endsWith(` ${home}`) || commandLine.includes(` ${home} `))) return false;
  return startToken === undefined || facts.startToken(pid) === startToken;
}
