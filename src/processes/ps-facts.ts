import { execFileSync } from 'node:child_process';
import type { ProcessFacts, ProcessRow } from './facts.js';

function ps(args: string[]): string {
  try {
    // lstart is local time: fix the zone so a token taken under one TZ matches under another.
    return execFileSync('ps', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024, env: { ...process.env, TZ: 'UTC', LC_ALL: 'C' } });
  } catch (error) {
    // ps exits 1 when -p names no process; its output (empty) is still the answer.
    return ((error as { stdout?: string }).stdout ?? '').toString();
  }
}

function parseRows(text: string): ProcessRow[] {
  const rows: ProcessRow[] = [];
  for (const line of text.split('\n')) {
    const [pid, ppid, pgid, stat] = line.trim().split(/\s+/);
    if (!pid || !/^\d+$/.test(pid)) continue;
    rows.push({ pid: Number(pid), ppid: Number(ppid), pgid: Number(pgid), zombie: (stat ?? '').startsWith('Z') });
  }
  return rows;
}

/** BSD ps (macOS) shows the environment with -E; procps with the BSD-style `e`. */
const ENV_FLAG = process.platform === 'darwin' ? '-E' : 'e';

/** Pid and command line followed by the environment, one process a line. */
function withEnvironment(pid?: number): Map<number, string> {
  const text = ps([ENV_FLAG, '-ww', ...(pid === undefined ? ['-A'] : ['-p', String(pid)]), '-o', 'pid=,command=']);
  const lines = new Map<number, string>();
  for (const line of text.split('\n')) {
    const match = /^\s*(\d+)\s(.*)$/.exec(line);
    if (match) lines.set(Number(match[1]), match[2]!);
  }
  return lines;
}

/** ps prints the environment after the arguments, separated by spaces: an entry is a whole word. */
function holds(line: string, entry: string): boolean {
  const at = line.indexOf(` ${entry}`);
  if (at < 0) return false;
  const after = line[at + entry.length + 1];
  return after === undefined || after === ' ';
}

/** Any Unix: the columns pid, ppid, pgid, stat, lstart and command exist in procps and BSD ps alike. */
export function psFacts(): ProcessFacts {
  return {
    kind: 'ps',
    table: () => parseRows(ps(['-A', '-o', 'pid=,ppid=,pgid=,stat='])),
    row: (pid) => parseRows(ps(['-p', String(pid), '-o', 'pid=,ppid=,pgid=,stat=']))[0],
    startToken(pid) {
      // lstart: the full start date to the second, e.g. "Mon Nov 30 21:20:04 2026".
      const text = ps(['-p', String(pid), '-o', 'lstart=']).trim().replace(/\s+/g, ' ');
      return text ? `ps:${text}` : undefined;
    },
    commandLine(pid) {
      const text = ps(['-p', String(pid), '-o', 'command=']).trim();
      return text || undefined;
    },
    withEnv(name, value) {
      const entry = `${name}=${value}`;
      return [...withEnvironment()].filter(([, line]) => holds(line, entry)).map(([pid]) => pid);
    },
    hasEnv(pid, name, value) {
      const line = withEnvironment(pid).get(pid);
      return line === undefined ? undefined : holds(line, `${name}=${value}`);
    },
  };
}
