/**
 * Schema migrations, applied in order; PRAGMA user_version records how many have run.
 * Never edit a shipped migration: add a new one.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    name TEXT,
    runner TEXT NOT NULL,
    agent TEXT,
    model TEXT,
    dir TEXT NOT NULL,
    prompt TEXT NOT NULL,
    prompt_file TEXT,
    parent_id TEXT REFERENCES runs(id),
    executor TEXT NOT NULL DEFAULT 'local',
    host TEXT,
    pid INTEGER,
    pgid INTEGER,
    supervisor_pid INTEGER,
    session_id TEXT,
    state TEXT NOT NULL,
    reasons TEXT NOT NULL DEFAULT '[]',
    exit_code INTEGER,
    limit_reset_at INTEGER,
    signal TEXT,
    kill_requested_at INTEGER,
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    ended_at INTEGER,
    stall_after_ms INTEGER NOT NULL,
    timeout_ms INTEGER,
    log_path TEXT NOT NULL,
    output_bytes INTEGER NOT NULL DEFAULT 0,
    output_lines INTEGER NOT NULL DEFAULT 0,
    parsed_offset INTEGER NOT NULL DEFAULT 0,
    last_output_at INTEGER,
    last_activity_at INTEGER,
    digest TEXT NOT NULL DEFAULT '{}',
    final_message TEXT,
    baseline TEXT,
    session_env TEXT NOT NULL DEFAULT '{}',
    runner_options TEXT NOT NULL DEFAULT '{}',
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX runs_state ON runs(state);
  CREATE INDEX runs_created ON runs(created_at);
  CREATE INDEX runs_dir ON runs(dir);
  `,
  `
  CREATE TABLE plan_runs (
    id TEXT PRIMARY KEY,
    plan_file TEXT NOT NULL,
    project TEXT NOT NULL,
    dir TEXT NOT NULL,
    repo_root TEXT NOT NULL,
    state TEXT NOT NULL,
    reasons TEXT NOT NULL DEFAULT '[]',
    plan TEXT NOT NULL,
    driver_pid INTEGER,
    stop_requested_at INTEGER,
    hooks TEXT NOT NULL DEFAULT '{}',
    no_lock INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    ended_at INTEGER,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE plan_phases (
    plan_run_id TEXT NOT NULL REFERENCES plan_runs(id),
    phase_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    state TEXT NOT NULL,
    reasons TEXT NOT NULL DEFAULT '[]',
    attempts TEXT NOT NULL DEFAULT '[]',
    resumes INTEGER NOT NULL DEFAULT 0,
    fixes INTEGER NOT NULL DEFAULT 0,
    current_run_id TEXT,
    base_tree TEXT,
    user_dirty TEXT,
    verification TEXT,
    commit_sha TEXT,
    committed_paths TEXT,
    started_at INTEGER,
    ended_at INTEGER,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (plan_run_id, phase_id)
  );
  `,
  // The dashboard follows changes by updated_at and pages plans newest first.
  `
  CREATE INDEX runs_updated ON runs(updated_at);
  CREATE INDEX runs_dir_created ON runs(dir, created_at);
  CREATE INDEX runs_state_created ON runs(state, created_at);
  CREATE INDEX plan_runs_updated ON plan_runs(updated_at);
  CREATE INDEX plan_runs_created ON plan_runs(created_at);
  CREATE INDEX plan_phases_updated ON plan_phases(updated_at);
  `,
  // The agent's start token, so that a reused pid is never taken for the run's agent (see src/processes).
  `
  ALTER TABLE runs ADD COLUMN agent_start TEXT;
  `,
  // Reasons as data beside their rendered words (src/reasons.ts); NULL on rows written before it.
  `
  ALTER TABLE runs ADD COLUMN reason_details TEXT;
  `,
  // How the run queue may treat a run and what Baton enforces on it (see RunGuards).
  `
  ALTER TABLE runs ADD COLUMN guards TEXT NOT NULL DEFAULT '{}';
  `,
  // Parallel plans: the user's branch a plan merges into, how many phases run at once, and each
  // phase's worktree and in-flight merge (see src/plans).
  `
  ALTER TABLE plan_runs ADD COLUMN branch TEXT;
  ALTER TABLE plan_runs ADD COLUMN max_parallel INTEGER NOT NULL DEFAULT 1;
  ALTER TABLE plan_phases ADD COLUMN worktree TEXT;
  ALTER TABLE plan_phases ADD COLUMN merge TEXT;
  `,
  // Runs dispatched to a worker on another machine: the remote, base commit and the worker that took it (see src/cluster).
  `
  ALTER TABLE runs ADD COLUMN placement TEXT;
  `,
  // Plans over the cluster: a plan run started with --local keeps its phases on this machine, resumed or not.
  `
  ALTER TABLE plan_runs ADD COLUMN local INTEGER NOT NULL DEFAULT 0;
  `,
];
