import type { RunRecord, RunState } from '../store/runs.js';

export interface StartResult {
  /** The agent's pid on the machine that runs it; null while it is still starting. */
  pid: number | null;
}

export interface StopResult {
  signalled: number;
  forced: boolean;
  survivors: number[];
  /** The recorded agent pid runs but is not proven to be the run's (reused, or launched by an older Baton): left alone. */
  unproven?: number;
}

/**
 * Where agents run. Callers speak in run records; pids and paths stay behind this seam so that an
 * executor that runs agents on other machines (through a queue) can take the local one's place.
 */
export interface Executor {
  readonly name: string;
  /** The state a new run is recorded in: `running` (a supervisor claims it at once) unless the executor says otherwise. */
  readonly initialState?: RunState;
  /** Starts supervision of a stored run; resolves once a supervisor has claimed it (the agent may still be starting). */
  start(run: RunRecord): Promise<StartResult>;
  /** Ends the run's agent and every process it started. */
  stop(run: RunRecord, graceMs: number): Promise<StopResult>;
  /** False when nothing watches the run any more and its record must be settled by the caller. */
  isSupervised(run: RunRecord): boolean;
  /** Whether the agent process itself still runs. */
  isAgentAlive(run: RunRecord): boolean;
}
