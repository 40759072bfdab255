import { formatDuration } from './duration.js';

/**
 * Why a run ended as it did, as data. Everything that decides something from a reason (the follow-up
 * writer, the plan driver, the brief, the MCP report) switches on `kind`; the words a person reads are
 * made in one place, `renderReason`, and stored beside the data as the documented `reasons: string[]`.
 * One kind per distinct sentence: a new sentence is a new kind.
 */
export type Reason =
  // How the agent process ended.
  | { kind: 'spawn-failed'; message: string }
  | { kind: 'killed'; beforeStart?: true; whileQueued?: true }
  | { kind: 'over-budget'; cost: number; maxCost: number }
  | { kind: 'timeout'; boundMs: number }
  | { kind: 'signal'; signal: string }
  | { kind: 'exit-code'; code: number | null }
  | { kind: 'usage-limit'; message: string; status?: number; resetsAt: number | null }
  // What the agent reported going wrong (first line of each message).
  | { kind: 'api-error'; status?: number; count: number; message: string }
  | { kind: 'agent-error'; message: string }
  // Exit 0 with work left.
  | { kind: 'no-completion-signal'; signal: string }
  | { kind: 'permission-denied'; tool: string; detail?: string }
  | { kind: 'cut-off'; tool: string; path?: string; command?: string }
  | { kind: 'missing-file'; path: string }
  | { kind: 'verification-not-run'; command: string }
  | { kind: 'verification-failed'; command: string; exitCode?: number }
  | { kind: 'verification-cut-off'; command: string }
  // While queued (the run holds no slot yet).
  | { kind: 'queued-for-slot'; running: number; cap: number; ahead: number }
  | { kind: 'queued-for-memory'; freeMb: number; floorMb: number }
  | { kind: 'queued-for-limit'; runId: string; runner: string; provider: string | null; resetsAt: number }
  // While running.
  | { kind: 'stalled'; forMs: number; boundMs: number }
  | { kind: 'unwatched'; pid: number | null }
  // A cluster worker that ran it stopped heartbeating (src/cluster).
  | { kind: 'worker-lost'; worker: string; host: string | null; lastSeenAt: number | null }
  // Baton's own trouble: never the agent's failure.
  | { kind: 'start-retried'; times: number; first: string }
  | { kind: 'disk-full'; home: string; code?: string }
  | { kind: 'store-fault'; advice: string }
  | { kind: 'nothing-ran' }
  // The process a queued run was held for (a cluster worker) exited before the run left the queue.
  | { kind: 'holder-gone'; pid: number }
  | { kind: 'outcome-unknown' }
  | { kind: 'judged-from-leftovers' };

export type ReasonKind = Reason['kind'];

const SUPERVISOR_DIED = "Baton's supervisor died before the agent ended";
/** A provider message that already says when its limit lifts only gets the exact time added. */
const STATES_RESET = /\bresets?\b|\btry again\b|\bretry\b/i;

function renderUsageLimit(reason: Extract<Reason, { kind: 'usage-limit' }>): string {
  const head = `usage limit reached${reason.status ? ` (API ${reason.status})` : ''}: ${reason.message}`;
  if (reason.resetsAt === null) return `${head}; the provider did not say when it resets`;
  const at = new Date(reason.resetsAt).toISOString();
  return STATES_RESET.test(reason.message) ? `${head} (${at})` : `${head}; resets at ${at}`;
}

/** What a cut-off tool call was working on: a path, or a command in backticks. */
export function cutOffTarget(reason: Extract<Reason, { kind: 'cut-off' }>): string {
  return reason.path ?? (reason.command !== undefined ? `\`${reason.command}\`` : '');
}

export type StoreFault = Extract<Reason, { kind: 'disk-full' | 'store-fault' }>;

/** What went wrong with the store, as supervisor.log says it. */
export function storeFaultText(fault: StoreFault): string {
  return fault.kind === 'disk-full' ? `the disk holding ${fault.home} is full${fault.code ? ` (${fault.code})` : ''}` : fault.advice;
}

/** Dollars as Baton shows them (reasons, plan status): cents are too coarse below a dollar. */
export const formatUsd = (usd: number) => `$${usd.toFixed(usd < 1 ? 4 : 2)}`;

/** The one sentence a person reads for a reason; `reasons: string[]` in every JSON output is made of these. */
export function renderReason(reason: Reason): string {
  switch (reason.kind) {
    case 'spawn-failed':
      return `could not start the agent: ${reason.message}`;
    case 'killed':
      if (reason.whileQueued) return 'killed by baton kill while queued; the agent never started';
      return reason.beforeStart ? 'killed by baton kill before the agent started' : 'killed by baton kill';
    case 'over-budget':
      return `cost ${formatUsd(reason.cost)} passed the budget of ${formatUsd(reason.maxCost)} (--max-cost)`;
    case 'queued-for-slot':
      return `queued: ${reason.running} of ${reason.cap} agents running (maxConcurrent), ${reason.ahead === 0 ? 'first in line' : `${reason.ahead} queued before it`}`;
    case 'queued-for-memory':
      return `queued: ${reason.freeMb} MB of memory free, below the ${reason.floorMb} MB a new agent needs (minFreeMemoryMb)`;
    case 'queued-for-limit':
      return `queued: run ${reason.runId} hit a usage limit of ${reason.runner}${reason.provider ? ` (${reason.provider})` : ''} that lifts at ${new Date(reason.resetsAt).toISOString()}; runs of it wait until then (--ignore-limit-breaker starts one anyway)`;
    case 'timeout':
      return `timed out after ${formatDuration(reason.boundMs)} (--timeout)`;
    case 'signal':
      return `agent process killed by ${reason.signal} from outside Baton`;
    case 'exit-code':
      return `agent exited with code ${reason.code}`;
    case 'usage-limit':
      return renderUsageLimit(reason);
    case 'api-error':
      return `${reason.status ? `model API ${reason.status}` : 'model API error'}${reason.count > 1 ? ` x${reason.count}` : ''}: ${reason.message}`;
    case 'agent-error':
      return reason.message;
    case 'no-completion-signal':
      return `exited 0 without the completion signal (${reason.signal})`;
    case 'permission-denied':
      return `permission denied: ${reason.tool}${reason.detail ? ` ${reason.detail}` : ''}`;
    case 'cut-off': {
      const target = cutOffTarget(reason);
      return `cut off during ${reason.tool}${target ? ` ${target}` : ''}`;
    }
    case 'missing-file':
      return `missing file ${reason.path}`;
    case 'verification-not-run':
      return `verification "${reason.command}" never ran`;
    case 'verification-failed':
      return `verification "${reason.command}" failed${reason.exitCode !== undefined ? ` (exit ${reason.exitCode})` : ''} the last time it ran`;
    case 'verification-cut-off':
      return `verification "${reason.command}" was cut off`;
    case 'stalled':
      return `no output for ${formatDuration(reason.forMs)} (stall-after ${formatDuration(reason.boundMs)})`;
    case 'unwatched':
      return `Baton's supervisor is gone; the agent (pid ${reason.pid}) still runs unwatched`;
    case 'worker-lost':
      return `worker ${reason.worker}${reason.host ? ` on ${reason.host}` : ''} stopped heartbeating (last seen ${reason.lastSeenAt === null ? 'never' : new Date(reason.lastSeenAt).toISOString()}); the run is given up`;
    case 'start-retried':
      return `the agent failed to start ${reason.times} time(s) before (${reason.first})`;
    case 'disk-full':
    case 'store-fault':
      return `Baton could not record this run fully: ${storeFaultText(reason)}; the log and the record stop where the disk filled`;
    case 'nothing-ran':
      return "Baton's launch was interrupted before the agent started (the launching process or the supervisor died); nothing ran";
    case 'holder-gone':
      return `the process it was queued for (pid ${reason.pid}, a cluster worker) exited before it left the queue; nothing ran, and the lead may hand it to another worker`;
    case 'outcome-unknown':
      return `${SUPERVISOR_DIED}; the agent's outcome is unknown (its exit status was not seen)`;
    case 'judged-from-leftovers':
      return `${SUPERVISOR_DIED}; judged from what the agent left (log, session, files)`;
  }
}

/** A run record's two reason fields, written together so that the words always match the data. */
export function reasonFields(details: readonly Reason[]): { reasons: string[]; reasonDetails: Reason[] } {
  return { reasons: details.map(renderReason), reasonDetails: [...details] };
}

/** Whether any reason is of one of `kinds`. */
export function hasReason(details: readonly Reason[], ...kinds: ReasonKind[]): boolean {
  return details.some((reason) => kinds.includes(reason.kind));
}
