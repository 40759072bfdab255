import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's CPU fields (USER_HZ, 100 on every Linux Baton runs on). */
export const TICKS_PER_S = 100;

export interface ProcessSample {
  rssKb: number;
  /** User + system CPU ticks spent so far. */
  ticks: number;
  ppid: number;
  pgid: number;
}

/**
 * Pid → RSS and CPU ticks of every live process that `matches`, read from /proc; the benches sample
 * this themselves rather than through src/processes because they need RSS and CPU, which Baton never does.
 */
export function sampleProcesses(matches: (cmdline: string, pid: string, pgid: number) => boolean): Map<number, ProcessSample> {
  const found = new Map<number, ProcessSample>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z') continue;
      const pgid = Number(fields[2]);
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (!matches(cmdline, entry, pgid)) continue;
      const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${entry}/status`, 'utf8'));
      found.set(Number(entry), { rssKb: rss ? Number(rss[1]) : 0, ticks: Number(fields[11]) + Number(fields[12]), ppid: Number(fields[1]), pgid });
    } catch {
      // Gone between listing and reading.
    }
  }
  return found;
}

/** Baton's supervising processes of this home: the supervisor host and any run's own supervisor. */
export const isSupervisorOf = (home: string) => (cmdline: string, pid: string) => {
  if (!cmdline.includes('/supervise/supervisor-')) return false;
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`BATON_HOME=${home}`);
  } catch {
    return false;
  }
};

/** A plan's driver process (its command line names the plan run). */
export const isDriverOf = (planRunId: string) => (cmdline: string) => cmdline.includes('driver-main') && cmdline.includes(planRunId);

export const totalRssKb = (sample: Map<number, ProcessSample>) => [...sample.values()].reduce((sum, p) => sum + p.rssKb, 0);

/** CPU ticks spent between two samples; a process first seen in `after` counts from zero. */
export function ticksBetween(before: Map<number, ProcessSample>, after: Map<number, ProcessSample>): number {
  let ticks = 0;
  for (const [pid, p] of after) ticks += p.ticks - (before.get(pid)?.ticks ?? 0);
  return ticks;
}
