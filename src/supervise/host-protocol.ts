/** What a launcher sends the supervisor host: one JSON line. */
export interface HostRequest {
  runId: string;
  /** The launcher's environment, for the agent (the host's own is the first launcher's). */
  env: NodeJS.ProcessEnv;
}

/** The host's one-line answer: the run is claimed (it will start and settle it), or why not. */
export type HostReply = { claimed: true } | { error: string };
