import { factsForToken, processFacts, type ProcessRow } from './facts.js';
import { isProcessAlive } from './liveness.js';

/**
 * Set in the environment of every agent Baton starts. It survives setsid, double forks and
 * re-parenting to init, so it finds the processes a run started that left its process group, and it
 * proves a pid is the run's after the pid may have been reused.
 */
export const RUN_MARKER = 'BATON_RUN_ID';

/** What a run's record says about its agent process. */
export interface RunProcessRef {
  runId: string;
  pid: number | null;
  pgid: number | null;
  /** The agent's start token recorded at launch (see ProcessFacts.startToken); null for older runs. */
  agentStart: string | null;
}

/** Start token of a pid, to record at launch. */
export function startTokenOf(pid: number): string | null {
  return processFacts().startToken(pid) ?? null;
}

export type AgentIdentity = 'same' | 'other' | 'gone';

/**
 * Whether the recorded agent pid still is the run's agent: alive, and started when it was recorded
 * (or, when the recorded start cannot be compared here, carrying the run's marker).
 */
export function agentIdentity(ref: RunProcessRef): AgentIdentity {
  if (ref.pid === null || !isProcessAlive(ref.pid)) return 'gone';
  const byStart = ref.agentStart ? identityByStart(ref.pid, ref.agentStart) : undefined;
  if (byStart) return byStart;
  return processFacts().hasEnv(ref.pid, RUN_MARKER, ref.runId) === true ? 'same' : 'other';
}

/**
 * Whether `pid` is still the process that had `startToken` (its start read now: none is 'gone'), or
 * undefined when a token of that kind cannot be read here.
 */
export function identityByStart(pid: number, startToken: string): AgentIdentity | undefined {
  const facts = factsForToken(startToken);
  if (!facts) return undefined;
  const now = facts.startToken(pid);
  if (now === undefined) return 'gone';
  return now === startToken ? 'same' : 'other';
}

function descendantsOf(roots: Set<number>, table: ProcessRow[]): Set<number> {
  const found = new Set(roots);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of table) {
      if (!found.has(p.pid) && found.has(p.ppid)) {
        found.add(p.pid);
        grew = true;
      }
    }
  }
  return found;
}

export interface RunProcesses {
  /** Live processes proven to be the run's: the agent, its group, their descendants, every marked one. */
  pids: number[];
  /** The run's process group, when proven to still be the run's (then safe to signal as a whole). */
  pgid: number | null;
}

/**
 * Every live process that belongs to the run, and only those. The group counts when its leader is
 * the recorded agent or a marked process is in it: the kernel does not hand out a pid still used as
 * a group id, so a live member keeps the group's id the run's.
 */
export function runProcesses(ref: RunProcessRef, known: Iterable<number> = []): RunProcesses {
  const facts = processFacts();
  const table = facts.table().filter((p) => !p.zombie && p.pid !== process.pid);
  const live = new Set(table.map((p) => p.pid));
  const marked = facts.withEnv(RUN_MARKER, ref.runId).filter((pid) => live.has(pid));
  const roots = new Set([...marked, ...[...known].filter((pid) => live.has(pid))]);
  let pgid: number | null = null;
  if (ref.pgid !== null) {
    const leaderIsAgent = ref.pgid === ref.pid && agentIdentity(ref) === 'same';
    const members = table.filter((p) => p.pgid === ref.pgid);
    if (leaderIsAgent || members.some((p) => roots.has(p.pid))) {
      pgid = ref.pgid;
      for (const p of members) roots.add(p.pid);
    }
  }
  if (ref.pid !== null && agentIdentity(ref) === 'same') roots.add(ref.pid);
  return { pids: [...descendantsOf(roots, table)], pgid };
}
