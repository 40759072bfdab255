import { existsSync } from 'node:fs';
import { procFacts } from './proc-facts.js';
import { psFacts } from './ps-facts.js';

export interface ProcessRow {
  pid: number;
  ppid: number;
  pgid: number;
  /** Exited but not yet reaped by its parent: no longer runs. */
  zombie: boolean;
}

/**
 * What Baton needs to know about the processes of this machine. Linux answers from /proc; any other
 * Unix (macOS) through `ps`, whose columns used here exist in both procps and BSD ps.
 */
export interface ProcessFacts {
  readonly kind: FactsKind;
  /** Every process visible to this user. */
  table(): ProcessRow[];
  row(pid: number): ProcessRow | undefined;
  /**
   * When the process started, as a token that differs for a later process reusing the pid (across a
   * reboot too); prefixed by the kind that made it, since only that kind can compare it.
   */
  startToken(pid: number): string | undefined;
  commandLine(pid: number): string | undefined;
  /** Pids whose environment holds `name=value`; only this user's processes can be read. */
  withEnv(name: string, value: string): number[];
  /** Whether the process's environment holds `name=value`; undefined when it cannot be read. */
  hasEnv(pid: number, name: string, value: string): boolean | undefined;
}

export type FactsKind = 'proc' | 'ps';

const cache = new Map<FactsKind, ProcessFacts>();

function make(kind: FactsKind): ProcessFacts {
  let facts = cache.get(kind);
  if (!facts) {
    facts = kind === 'proc' ? procFacts() : psFacts();
    cache.set(kind, facts);
  }
  return facts;
}

/** /proc where the machine has it; BATON_PROCESS_FACTS=ps forces the portable one (tests, odd systems). */
export function processFacts(env: NodeJS.ProcessEnv = process.env): ProcessFacts {
  const forced = env.BATON_PROCESS_FACTS;
  if (forced === 'ps' || forced === 'proc') return make(forced);
  return make(existsSync('/proc/self/stat') ? 'proc' : 'ps');
}

/** The implementation that made a start token, when this machine has it. */
export function factsForToken(token: string): ProcessFacts | undefined {
  const kind = token.slice(0, token.indexOf(':'));
  if (kind === 'ps') return make('ps');
  if (kind === 'proc' && existsSync('/proc/self/stat')) return make('proc');
  return undefined;
}
