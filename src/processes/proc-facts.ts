import { readdirSync, readFileSync } from 'node:fs';
import type { ProcessFacts, ProcessRow } from './facts.js';

function readStat(pid: number | string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is parenthesised and may hold spaces or parentheses: fields start after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

function rowOf(pid: number, fields: string[]): ProcessRow {
  return { pid, ppid: Number(fields[1]), pgid: Number(fields[2]), zombie: fields[0] === 'Z' };
}

function pids(): number[] {
  try {
    return readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)).map(Number);
  } catch {
    return [];
  }
}

function environ(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
  } catch {
    return undefined;
  }
}

let bootId: string | undefined;

/** Linux: everything from /proc, no child process. */
export function procFacts(): ProcessFacts {
  return {
    kind: 'proc',
    table() {
      const table: ProcessRow[] = [];
      for (const pid of pids()) {
        const fields = readStat(pid);
        if (fields) table.push(rowOf(pid, fields));
      }
      return table;
    },
    row(pid) {
      const fields = readStat(pid);
      return fields ? rowOf(pid, fields) : undefined;
    },
    startToken(pid) {
      // Field 22 of stat (index 19 after the name): start time in clock ticks since boot; the boot
      // id tells this boot's tick 5000 from the last one's.
      const ticks = readStat(pid)?.[19];
      if (ticks === undefined) return undefined;
      bootId ??= readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
      return `proc:${bootId}:${ticks}`;
    },
    commandLine(pid) {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
      } catch {
        return undefined;
      }
    },
    withEnv(name, value) {
      const entry = `${name}=${value}`;
      return pids().filter((pid) => environ(pid)?.includes(entry));
    },
    hasEnv(pid, name, value) {
      return environ(pid)?.includes(`${name}=${value}`);
    },
  };
}
