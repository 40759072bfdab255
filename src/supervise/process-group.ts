import { readdirSync, readFileSync } from 'node:fs';

/** Whether any process of the group still runs (zombies waiting to be reaped do not count). */
export function isGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return readProcTable().some((p) => p.pgid === pgid && p.state !== 'Z');
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !isZombie(pid);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false;
  }
}

interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  state: string;
}

function readProcTable(): ProcInfo[] {
  const table: ProcInfo[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return table;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the parenthesised command name: state ppid pgrp ...
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      table.push({ pid: Number(entry), ppid: Number(fields[1]), pgid: Number(fields[2]), state: fields[0] ?? '' });
    } catch {
      // Exited while we looked.
    }
  }
  return table;
}

/**
 * Every process that belongs to the run: the group's members and all their descendants, including
 * any that moved to a group of their own (a server a CLI started with setsid, say).
 */
export function processesOfGroup(pgid: number): number[] {
  const table = readProcTable();
  const members = new Set(table.filter((p) => p.pgid === pgid).map((p) => p.pid));
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of table) {
      if (!members.has(p.pid) && members.has(p.ppid)) {
        members.add(p.pid);
        grew = true;
      }
    }
  }
  return [...members];
}

function signalAll(pgid: number, pids: number[], signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // Group already empty.
  }
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface GroupKillResult {
  /** Processes signalled. */
  signalled: number;
  /** Whether SIGKILL was needed after the grace period. */
  forced: boolean;
  /** Processes still alive at the end (should be none). */
  survivors: number[];
}

/** SIGTERM to the whole group and its descendants, a grace period, then SIGKILL for what is left. */
export async function killProcessGroup(pgid: number, graceMs = 5_000): Promise<GroupKillResult> {
  const initial = processesOfGroup(pgid);
  signalAll(pgid, initial, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  let remaining = initial;
  while (Date.now() < deadline) {
    await sleep(50);
    remaining = [...new Set([...remaining, ...processesOfGroup(pgid)])].filter(isProcessAlive);
    if (remaining.length === 0 && !isGroupAlive(pgid)) return { signalled: initial.length, forced: false, survivors: [] };
  }
  const leftovers = [...new Set([...remaining, ...processesOfGroup(pgid)])];
  signalAll(pgid, leftovers, 'SIGKILL');
  await sleep(100);
  const survivors = leftovers.filter(isProcessAlive);
  return { signalled: initial.length, forced: true, survivors };
}
