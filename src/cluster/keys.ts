import type { RunnerName } from '../runners/types.js';

/**
 * Every Redis key and channel Baton's cluster uses, in one place. The BullMQ queues live under
 * BullMQ's own "bull:" prefix; Baton's own keys under "baton:".
 */
export const CLUSTER_KEYS = {
  /** One queue per runner: a worker polls only the queues of the runners it has, so it never takes a job it cannot run. */
  queue: (runner: RunnerName | string) => `baton-runs-${runner}`,
  /** Hash: what the worker last published about a run (state, worker, pid, the record fields at its end). */
  run: (runId: string) => `baton:run:${runId}`,
  /** Channel: a run id, each time its hash changed. */
  runEvents: 'baton:run-events',
  /** Channel: a runner's name, each time the lead adds a job to its queue (wakes idle workers). */
  workAdded: 'baton:work-added',
  /** Channel: a run id the lead wants killed. */
  kills: 'baton:kills',
  /** Hash: worker name → its last registration (JSON), kept after it stops, so `baton workers` can show lost ones. */
  workers: 'baton:workers',
  /** Set: the runs a worker claimed and has not finished, so that the same worker, restarted, finds even those it had not started. */
  claims: (worker: string) => `baton:worker-claims:${worker}`,
  /** A worker's heartbeat: exists while it is alive (its TTL is the lost bound). */
  alive: (worker: string) => `baton:worker-alive:${worker}`,
  /** Channel: requests to one worker (src/cluster/ask.ts). */
  asks: (worker: string) => `baton:asks:${worker}`,
  /** List: the answer to one request, kept a minute. */
  answer: (requestId: string) => `baton:answer:${requestId}`,
  /** Channel: a run's log text as its worker relays it, while someone follows it. */
  log: (runId: string) => `baton:log:${runId}`,
  /** Exists while someone follows the run's log (a follower refreshes its short TTL). */
  following: (runId: string) => `baton:following:${runId}`,
  /** One queue per worker: resumes of its own runs, since the agent's session lives in its files. */
  resumeQueue: (worker: string) => `baton-resume-${worker}`,
} as const;
