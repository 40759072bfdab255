import { newId } from './ids.js';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { baselineStoreDir, diffSinceBaseline, type BaselineDiff } from './baseline/index.js';
import { largeFileBytes } from './baseline/large-files.js';
import { diffClusterRun } from './cluster/diff.js';
import { followLog, type FollowEvent, type FollowOptions } from './follow.js';
import { readPromptSpec } from './detect/prompt-spec.js';
import { writeFollowUp } from './detect/follow-up.js';
import { emptyDigest } from './digest.js';
import { checkDurationOption } from './duration.js';
import { BatonError, usageError } from './errors.js';
import { LocalExecutor } from './executors/local.js';
import { ClusterLink } from './cluster/link.js';
import type { ClusterFollowOptions } from './cluster/follow.js';
import type { WorkerView } from './cluster/workers.js';
import { clusterFollowEvents } from './cluster/follow-events.js';
import type { Executor } from './executors/types.js';
import { toRunStatus, type RunStatus } from './report.js';
import { checkRunnerName, DEFAULT_RUNNER, getRunner } from './runners/registry.js';
import { findExecutable, MissingBinaryError, requireExecutable } from './runners/locate.js';
import { checkPrompt } from './runners/prompt-limits.js';
import type { RunnerName, RunnerOptions } from './runners/types.js';
import { batonHome, isActive, openStore, runDirectory, type RunRecord, type RunState, type Store } from './store/index.js';
import { loadConfig, type BatonConfig } from './config.js';
import { ACTIVE_STATES, ENDED_STATES, providerOf, RUN_STATES, type ProcessRef, type RunGuards, type RunPatch, type RunPlacement } from './store/runs.js';
import { judgedFromLeftovers, judgeOrphanedRun } from './supervise/orphan.js';
import { freePort } from './supervise/free-port.js';
import { lastLines, stripAnsi } from './tail.js';
import { hasReason, reasonFields } from './reasons.js';
import { repoLockHolder } from './repo-lock.js';

export interface BatonOptions {
  /** Where the store and logs live; default $BATON_HOME or ~/.local/state/baton. */
  home?: string;
  /** Environment handed to agents (and used to find runner binaries). Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** Never dispatch to the cluster, whatever BATON_REDIS_URL or config.json say (a worker's own runs). */
  local?: boolean;
}

export interface RunOptions {
  /** Default DEFAULT_RUNNER. Any string is accepted and checked here, so that every shell gets the same error. */
  runner?: RunnerName | (string & {});
  agent?: string;
  model?: string;
  name?: string;
  dir: string;
  prompt?: string;
  promptFile?: string;
  /** No output for this long marks the run stalled. Default 5 minutes. */
  stallAfterMs?: number;
  /** Kill the run after this long. Default: none. */
  timeoutMs?: number;
  /** Runner-specific settings, e.g. claude's permissionMode. */
  runnerOptions?: RunnerOptions;
  /** Launch even while a plan holds the repository (baton run --no-lock). */
  ignoreRepoLock?: boolean;
  /** Start even while a usage limit hit by another run of the same runner and provider is in force. */
  ignoreLimitBreaker?: boolean;
  /** USD: end the run `failed` once the cost its runner reports passes this. */
  maxCost?: number;
  /** With a cluster configured: run it on this machine all the same (baton run --local). */
  local?: boolean;
  /** Should this process be gone before the run leaves this machine's run queue, the run fails unstarted (a cluster worker's runs). */
  heldFor?: ProcessRef;
  /** A cluster run's git remote every worker can reach; default the `origin` of dir. */
  remote?: string;
  /**
   * A cluster run's base commit (pushed for the worker to check out); default HEAD of dir. A plan
   * passes a commit of its phase worktree's whole state, uncommitted work included.
   */
  base?: string;
}

export interface ResumeOptions {
  name?: string;
  maxCost?: number;
  /** As RunOptions.heldFor. */
  heldFor?: ProcessRef;
  /**
   * A cluster run only: a commit the worker checks out in the session's worktree before resuming
   * (a plan phase's worktree state, e.g. with conflict markers); default: the worktree as the parent left it.
   */
  base?: string;
}

export interface LaunchResult {
  id: string;
  state: RunState;
  pid: number | null;
  log: string;
}

export interface ResumeResult extends LaunchResult {
  parentId: string;
  sessionId: string;
  prompt: string;
}

export interface WaitOptions {
  timeoutMs?: number;
  /** Called whenever a watched run changes state. */
  onChange?: (status: RunStatus) => void;
  signal?: AbortSignal;
}

export interface WaitResult {
  timedOut: boolean;
  runs: RunStatus[];
}

export interface KillResult {
  id: string;
  state: RunState;
  signalled: number;
  forced: boolean;
  survivors: number[];
  alreadyEnded: boolean;
}

export const DEFAULT_STALL_AFTER_MS = 5 * 60_000;
const WAIT_POLL_MS = 40;
const RECONCILE_EVERY_MS = 1_000;
const KILL_GRACE_MS = 5_000;
const MAX_REF_LENGTH = 1_000;


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Environment variables that say where an agent keeps its sessions and config. They are stored with
 * the run so that resume and export find the session from any shell. Only locations, never secrets.
 */
const SESSION_LOCATION_VARS = ['XDG_DATA_HOME', 'XDG_CONFIG_HOME', 'XDG_CACHE_HOME', 'XDG_STATE_HOME', 'OPENCODE_CONFIG', 'OPENCODE_CONFIG_DIR', 'OPENCODE_DB', 'CLAUDE_CONFIG_DIR', 'CODEX_HOME'];

function sessionLocation(env: NodeJS.ProcessEnv): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of SESSION_LOCATION_VARS) {
    const value = env[name];
    if (value) picked[name] = value;
  }
  return picked;
}

/** States come from users (flags, query strings): an unknown one is a usage error naming the valid ones. */
function checkStates(states: readonly string[] | undefined): void {
  for (const state of states ?? []) {
    if (!(RUN_STATES as readonly string[]).includes(state)) throw usageError(`unknown state "${state}"; states: ${RUN_STATES.join(', ')}`);
  }
}

/**
 * The library: everything the CLI, the MCP server and the dashboard do goes through here.
 * Methods return data and throw `BatonError`; none prints or exits.
 */
export class Baton {
  readonly home: string;
  readonly env: NodeJS.ProcessEnv;
  private storeHandle: Store | undefined;
  private readonly executor: Executor;
  private readonly cluster: ClusterLink;

  constructor(options: BatonOptions = {}) {
    this.env = options.env ?? process.env;
    this.home = options.home ?? batonHome(this.env);
    this.executor = new LocalExecutor(this.home, this.env);
    this.cluster = new ClusterLink(this.home, this.env, () => this.store, options.local === true);
  }

  get store(): Store {
    this.storeHandle ??= openStore(this.home);
    return this.storeHandle;
  }

  close(): void {
    this.cluster.close();
    this.storeHandle?.close();
    this.storeHandle = undefined;
  }

  /** Validates, records and launches a run; resolves once a supervisor owns it (the agent may still be starting: pid null). */
  async run(options: RunOptions): Promise<LaunchResult> {
    const runnerName = checkRunnerName(options.runner ?? DEFAULT_RUNNER);
    const dir = resolve(options.dir);
    try {
      if (!statSync(dir).isDirectory()) throw usageError(`${dir} is not a directory`, { field: 'dir' });
    } catch (error) {
      if (error instanceof BatonError) throw error;
      throw usageError(`${dir} does not exist`, { field: 'dir' });
    }
    let prompt = options.prompt;
    if (options.promptFile !== undefined) {
      if (prompt !== undefined) throw usageError('give the prompt either as text or as a file, not both', { field: 'promptFile' });
      try {
        prompt = readFileSync(resolve(options.promptFile), 'utf8');
      } catch (error) {
        throw usageError(`cannot read ${options.promptFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { field: 'promptFile' });
      }
    }
    if (prompt === undefined || prompt.trim() === '') throw usageError('the prompt is empty; give it as text or as a file', { field: 'prompt' });
    const adapter = getRunner(runnerName);
    const runnerOptions = options.runnerOptions ?? {};
    if (!adapter.checkOptions && Object.keys(runnerOptions).length > 0) {
      throw usageError(`runner ${runnerName} takes no options (got ${Object.keys(runnerOptions).join(', ')})`, { field: 'runnerOptions' });
    }
    let checkedOptions: RunnerOptions = {};
    try {
      checkedOptions = adapter.checkOptions ? adapter.checkOptions(runnerOptions, this.env) : {};
    } catch (error) {
      throw usageError(`${runnerName}: ${(error as Error).message}`, { field: 'runnerOptions' });
    }
    const cluster = options.local ? undefined : this.cluster.executor();
    // A cluster run's agent runs on a worker: the lead needs no agent CLI of its own.
    if (!cluster) this.checkRunnerInstalled(runnerName, checkedOptions);
    // A broken config.json is the user's to fix before anything is recorded (the supervisor reads it to queue).
    loadConfig(this.home, this.env);
    if (!options.ignoreRepoLock) {
      const holder = await repoLockHolder(dir);
      if (holder) throw new BatonError('conflict', `the repository of ${dir} is held by ${holder.owner} (pid ${holder.pid}); a second agent would trample its phase: wait for the plan`, { override: 'lock' });
    }
    if (options.stallAfterMs !== undefined) checkDurationOption('stallAfter', options.stallAfterMs);
    if (options.timeoutMs !== undefined) checkDurationOption('timeout', options.timeoutMs);
    if (options.maxCost !== undefined && !(Number.isFinite(options.maxCost) && options.maxCost > 0)) {
      throw usageError(`must be a positive amount of US dollars, e.g. 2.50 (got ${options.maxCost})`, { field: 'maxCost' });
    }
    const placement = cluster ? await cluster.place(dir, options.remote, options.base) : null;
    return this.launch({
      runner: runnerName,
      agent: options.agent ?? adapter.defaultAgent ?? null,
      model: options.model ?? null,
      name: options.name ?? null,
      dir,
      prompt,
      promptFile: options.promptFile ? resolve(options.promptFile) : null,
      parentId: null,
      sessionId: null,
      stallAfterMs: options.stallAfterMs ?? DEFAULT_STALL_AFTER_MS,
      timeoutMs: options.timeoutMs ?? null,
      sessionEnv: sessionLocation(this.env),
      runnerOptions: checkedOptions,
      guards: {
        ...(options.ignoreLimitBreaker && { ignoreLimitBreaker: true }),
        ...(options.maxCost !== undefined && { maxCost: options.maxCost }),
        ...(options.heldFor && { heldFor: options.heldFor }),
      },
    }, cluster, placement);
  }

  private checkRunnerInstalled(runner: RunnerName, options: RunnerOptions): void {
    const adapter = getRunner(runner);
    for (const binary of [adapter.executableFor?.(options) ?? adapter.binary, ...adapter.companions]) {
      if (!findExecutable(binary, this.env)) throw new BatonError('usage', new MissingBinaryError(binary, this.env).message);
    }
  }

  private async launch(fields: Pick<RunRecord, 'runner' | 'agent' | 'model' | 'name' | 'dir' | 'prompt' | 'promptFile' | 'parentId' | 'sessionId' | 'stallAfterMs' | 'timeoutMs' | 'sessionEnv' | 'runnerOptions' | 'guards'>, executor: Executor = this.executor, placement: RunPlacement | null = null): Promise<LaunchResult> {
    // Before the run exists: a refused prompt leaves no row and no run dir.
    checkPrompt(getRunner(fields.runner), fields.runnerOptions, fields.prompt, this.env);
    this.store.assertWritable();
    let id = newId();
    while (this.store.runs.get(id)) id = newId();
    const runDir = runDirectory(this.home, id);
    mkdirSync(runDir, { recursive: true, mode: 0o700 });
    writeFileSync(join(runDir, 'prompt.txt'), fields.prompt, { mode: 0o600 });
    const logPath = join(runDir, 'output.log');
    writeFileSync(logPath, '', { mode: 0o600, flag: 'a' });
    const now = Date.now();
    this.store.runs.insert({
      ...fields,
      id,
      executor: executor.name,
      host: hostname(),
      pid: null,
      pgid: null,
      supervisorPid: null,
      state: executor.initialState ?? 'running',
      placement,
      reasons: [],
      exitCode: null,
      limitResetAt: null,
      signal: null,
      killRequestedAt: null,
      createdAt: now,
      startedAt: null,
      endedAt: null,
      logPath,
      outputBytes: 0,
      outputLines: 0,
      parsedOffset: 0,
      lastOutputAt: null,
      lastActivityAt: null,
      digest: emptyDigest(),
      finalMessage: null,
      baseline: null,
    });
    const run = this.store.runs.get(id)!;
    try {
      const { pid } = await executor.start(run);
      const after = this.store.runs.get(id)!;
      return { id, state: after.state, pid: pid ?? after.pid, log: logPath };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // Give up only if no supervisor has claimed the run: then none ever will, and nothing starts.
      const gaveUp = this.store.runs.updateIfUnclaimed(id, { state: 'failed', ...reasonFields([{ kind: 'spawn-failed', message }]), endedAt: Date.now() });
      const after = this.store.runs.get(id)!;
      if (!gaveUp && after.supervisorPid !== null) return { id, state: after.state, pid: after.pid, log: logPath };
      throw error instanceof BatonError ? error : new BatonError('runtime', message);
    }
  }

  /** The home's settings with where each came from, and how the run queue stands now. */
  config(): BatonConfig & { agentsRunning: number; queued: number; limitBreakers: { runId: string; runner: string; provider: string | null; resetAt: string }[] } {
    const config = loadConfig(this.home, this.env);
    const limitBreakers = this.store.runs.limitBreakers(Date.now()).map((b) => ({ runId: b.runId, runner: b.runner, provider: providerOf(b.model), resetAt: new Date(b.resetAt).toISOString() }));
    return { ...config, agentsRunning: this.store.runs.slotHolders(), queued: this.store.runs.count({ states: ['queued'] }), limitBreakers };
  }

  /** Finds a run by id, unique id prefix or name. */
  resolveRun(ref: string): RunRecord {
    // Ids are short lowercase words and names are bounded: anything longer is no reference to a run.
    if (ref.length > MAX_REF_LENGTH) throw usageError(`a run id or name is at most ${MAX_REF_LENGTH} characters (got ${ref.length})`);
    const exact = this.store.runs.get(ref);
    if (exact) return this.reconcile(exact);
    const byPrefix = this.store.runs.idsWithPrefix(ref);
    if (byPrefix.length === 1) return this.reconcile(this.store.runs.get(byPrefix[0]!)!);
    if (byPrefix.length > 1) throw usageError(`run id "${ref}" is ambiguous: ${byPrefix.join(', ')}`);
    const byName = this.store.runs.idsByName(ref);
    if (byName.length > 0) return this.reconcile(this.store.runs.get(byName[0]!)!);
    throw new BatonError('not-found', `no run "${ref}" (see baton list)`);
  }

  /**
   * Settles a run whose supervisor vanished (machine reboot, kill -9 of Baton): the record must not
   * claim "running" forever.
   */
  private reconcile(run: RunRecord): RunRecord {
    if (!isActive(run.state) || this.executorFor(run).isSupervised(run)) return run;
    const agentAlive = this.executorFor(run).isAgentAlive(run);
    if (agentAlive) {
      if (!hasReason(run.reasonDetails, 'unwatched')) {
        const fields = reasonFields([{ kind: 'unwatched', pid: run.pid }]);
        if (!this.store.readOnly) this.store.runs.update(run.id, fields);
        return { ...run, ...fields };
      }
      return run;
    }
    // Judged from what the agent left, as the supervisor would have: Baton's crash is not the agent's
    // failure. A kill was asked for: it ended the run unless the agent says it finished on its own.
    const judged = judgeOrphanedRun(run, this.env);
    const patch: RunPatch =
      run.killRequestedAt !== null && !judgedFromLeftovers(judged.reasonDetails ?? []) ? { ...judged, state: 'killed', ...reasonFields([{ kind: 'killed' }]) } : judged;
    // A read-only store still answers: the judgement is shown, just not kept.
    if (this.store.readOnly || this.store.runs.updateIfState(run.id, ACTIVE_STATES, patch)) return { ...run, ...patch };
    return this.store.runs.get(run.id) ?? run;
  }

  private executorFor(run: RunRecord): Executor {
    return run.placement ? this.cluster.executorOf(run) : this.executor;
  }

  /**
   * Brings cluster runs up to what their workers published (see src/cluster): every shell calls it
   * before it reads runs, since the store of a lead changes only when someone reads. A no-op without a cluster.
   */
  async refreshCluster(ids?: string[]): Promise<void> {
    await this.cluster.refresh(ids);
  }

  /** Whether new runs dispatch to a cluster (a Redis URL is configured and this is no worker's own Baton). */
  get clustered(): boolean {
    return this.cluster.executor() !== undefined;
  }

  /** Keeps cluster runs current from what workers push while a shell looks at them all (the dashboard); returns the stopper. */
  followCluster(options: ClusterFollowOptions): Promise<() => void> {
    return this.cluster.followAll(options);
  }

  /** The cluster's workers: health, slots used and free, runners, last heartbeat. */
  workers(options: { redis?: string } = {}): Promise<WorkerView[]> {
    return this.cluster.workers(options.redis);
  }

  /** The root prompt of a run's resume chain: it defines the files and verification expected. */
  rootPrompt(run: RunRecord): string {
    let current = run;
    for (let depth = 0; current.parentId && depth < 100; depth++) {
      const parent = this.store.runs.get(current.parentId);
      if (!parent) break;
      current = parent;
    }
    return current.prompt;
  }

  statusOf(run: RunRecord): RunStatus {
    const queuePosition = run.state === 'queued' ? this.store.runs.queuedAhead(run.id) + 1 : null;
    return { ...toRunStatus(run, this.rootPrompt(run)), queuePosition };
  }

  /** Status of the given runs; with none, the active runs plus the latest finished one. */
  status(refs: string[] = []): RunStatus[] {
    if (refs.length > 0) return refs.map((ref) => this.statusOf(this.resolveRun(ref)));
    const active = this.store.runs.list({ states: [...ACTIVE_STATES], limit: 200 }).map((r) => this.reconcile(r));
    const stillActive = active.filter((r) => isActive(r.state));
    const finished = this.store.runs.list({ states: [...ENDED_STATES], limit: 1 });
    return [...stillActive, ...finished].map((r) => this.statusOf(r));
  }

  list(filter: { states?: RunState[]; dir?: string; limit?: number } = {}): RunStatus[] {
    checkStates(filter.states);
    const dir = filter.dir ? resolve(filter.dir) : undefined;
    return this.store.runs
      .list({ ...filter, ...(dir && { dir }) })
      .map((r) => this.reconcile(r))
      .filter((r) => !filter.states || filter.states.includes(r.state))
      .map((r) => this.statusOf(r));
  }

  /** One page of the run history, newest first, with the total the filter matches (the dashboard's list). */
  page(filter: { states?: RunState[]; dir?: string; offset?: number; limit?: number } = {}): { total: number; runs: { record: RunRecord; status: RunStatus }[] } {
    checkStates(filter.states);
    const total = this.store.runs.count(filter);
    return { total, runs: this.store.runs.list(filter).map((r) => this.withStatus(this.reconcile(r))) };
  }

  /**
   * Runs changed at or after `since` (ms since epoch): what a live view refreshes. `wanted` sees each
   * change's id and updated_at first, so changes already shown cost no status.
   */
  changedSince(since: number, wanted: (id: string, updatedAt: number) => boolean = () => true): { record: RunRecord; status: RunStatus }[] {
    return this.store.runs
      .changedSince(since)
      .filter(({ id, updatedAt }) => wanted(id, updatedAt))
      .map(({ id }) => this.store.runs.get(id))
      .filter((r): r is RunRecord => r !== undefined)
      .map((r) => this.withStatus(this.reconcile(r)));
  }

  private withStatus(record: RunRecord): { record: RunRecord; status: RunStatus } {
    return { record, status: this.statusOf(record) };
  }

  /** Resolves when every given run has ended, or when the timeout passes. */
  async wait(refs: string[], options: WaitOptions = {}): Promise<WaitResult> {
    if (refs.length === 0) throw usageError('wait needs at least one run id');
    const ids = refs.map((ref) => this.resolveRun(ref).id);
    const stopWatching = await this.cluster.watch(ids);
    try {
      return await this.waitForStore(ids, options);
    } finally {
      stopWatching();
    }
  }

  private async waitForStore(ids: string[], options: WaitOptions): Promise<WaitResult> {
    const deadline = options.timeoutMs !== undefined ? Date.now() + options.timeoutMs : Infinity;
    const lastState = new Map<string, RunState>();
    let nextReconcile = Date.now() + RECONCILE_EVERY_MS;
    for (;;) {
      let pending = 0;
      const reconcileNow = Date.now() >= nextReconcile;
      for (const id of ids) {
        let state = this.store.runs.stateOf(id)?.state;
        if (state && isActive(state) && reconcileNow) state = this.reconcile(this.store.runs.get(id)!).state;
        if (!state) continue;
        if (lastState.get(id) !== state) {
          lastState.set(id, state);
          options.onChange?.(this.statusOf(this.store.runs.get(id)!));
        }
        if (isActive(state)) pending++;
      }
      if (reconcileNow) nextReconcile = Date.now() + RECONCILE_EVERY_MS;
      if (pending === 0) return { timedOut: false, runs: ids.map((id) => this.statusOf(this.store.runs.get(id)!)) };
      if (Date.now() >= deadline || options.signal?.aborted) {
        return { timedOut: true, runs: ids.map((id) => this.statusOf(this.store.runs.get(id)!)) };
      }
      await sleep(Math.min(WAIT_POLL_MS, Math.max(1, deadline - Date.now())));
    }
  }

  /** SIGTERM to the run's whole process group, a grace period, then SIGKILL. */
  async kill(ref: string, graceMs = KILL_GRACE_MS): Promise<KillResult> {
    const run = this.resolveRun(ref);
    if (!isActive(run.state)) {
      return { id: run.id, state: run.state, signalled: 0, forced: false, survivors: [], alreadyEnded: true };
    }
    this.store.runs.update(run.id, { killRequestedAt: Date.now() });
    // A queued run is cancelled here and now; if its supervisor admitted it meanwhile, it is stopped below like any other.
    if (this.store.runs.updateIfState(run.id, ['queued'], { state: 'killed', ...reasonFields([{ kind: 'killed', whileQueued: true }]), endedAt: Date.now() })) {
      if (run.placement) await this.cluster.cancel(run);
      return { id: run.id, state: 'killed', signalled: 0, forced: false, survivors: [], alreadyEnded: false };
    }
    // Read again: the agent may have started since; one that starts later is stopped by its supervisor.
    const outcome = await this.executorFor(run).stop(this.store.runs.get(run.id) ?? run, graceMs);
    // The supervisor writes the verdict when it sees the exit; settle it ourselves if it is gone.
    const deadline = Date.now() + 5_000;
    let after = this.store.runs.get(run.id)!;
    while (isActive(after.state) && Date.now() < deadline) {
      await sleep(WAIT_POLL_MS);
      after = this.reconcile(this.store.runs.get(run.id)!);
    }
    if (isActive(after.state) && outcome.signalled === 0 && outcome.unproven !== undefined) {
      // Claiming a kill would be false, and signalling an unproven pid might hit a stranger.
      this.store.runs.update(run.id, { killRequestedAt: null });
      throw new BatonError('conflict', `run ${run.id} still looks active, but its recorded agent pid ${outcome.unproven} is not proven to be its agent (no matching start time or BATON_RUN_ID marker); nothing was signalled`);
    }
    if (isActive(after.state)) {
      this.store.runs.updateIfState(run.id, ACTIVE_STATES, { state: 'killed', ...reasonFields([{ kind: 'killed' }]), endedAt: Date.now() });
      after = this.store.runs.get(run.id)!;
    }
    return { id: run.id, state: after.state, ...outcome, alreadyEnded: false };
  }

  /** Starts a new run that continues the same agent session; writes the follow-up when none given. */
  async resume(ref: string, prompt?: string, options: ResumeOptions = {}): Promise<ResumeResult> {
    const parent = this.resolveRun(ref);
    if (isActive(parent.state)) throw new BatonError('conflict', `run ${parent.id} is still ${parent.state}; wait for it or kill it before resuming`);
    if (!parent.sessionId) throw new BatonError('conflict', `run ${parent.id} never reported an agent session id, so there is no session to resume; start a new run instead`);
    const followUp =
      prompt !== undefined && prompt.trim() !== ''
        ? prompt
        : writeFollowUp({ reasons: parent.reasonDetails, digest: parent.digest, spec: readPromptSpec(this.rootPrompt(parent)), dir: parent.dir });
    // A cluster run is resumed by the worker that holds its session; refused (conflict) if that worker is gone.
    const onWorker = parent.placement ? await this.cluster.resumeOn(parent, options.base) : undefined;
    if (!onWorker) this.checkRunnerInstalled(parent.runner, parent.runnerOptions);
    const launched = await this.launch({
      runner: parent.runner,
      agent: parent.agent,
      model: parent.model,
      name: options.name ?? parent.name,
      dir: parent.dir,
      prompt: followUp,
      promptFile: null,
      parentId: parent.id,
      sessionId: parent.sessionId,
      stallAfterMs: parent.stallAfterMs,
      timeoutMs: parent.timeoutMs,
      // The session lives where the first run kept it, whatever this shell's environment says.
      sessionEnv: { ...sessionLocation(this.env), ...parent.sessionEnv },
      runnerOptions: parent.runnerOptions,
      // A plan passes what is left of its budget; otherwise the parent's budget applies to this run too.
      // The parent's holder (a worker since restarted, perhaps) is not this run's.
      guards: { ...withoutHolder(parent.guards), ...(options.maxCost !== undefined && { maxCost: options.maxCost }), ...(options.heldFor && { heldFor: options.heldFor }) },
    }, onWorker?.executor, onWorker?.placement);
    return { ...launched, parentId: parent.id, sessionId: parent.sessionId, prompt: followUp };
  }

  /** The agent session as the runner exports it (JSON text). */
  async exportSession(ref: string): Promise<{ id: string; sessionId: string; json: unknown }> {
    const run = this.resolveRun(ref);
    if (!run.sessionId) throw new BatonError('conflict', `run ${run.id} has no agent session id yet`);
    // The session lives in the files of the worker that ran it.
    if (run.placement) return { ...(await this.cluster.exportSession(run)), id: run.id };
    const runner = getRunner(run.runner);
    const env = { ...this.env, ...run.sessionEnv };
    const json = await runner.exportSession(run.sessionId, { dir: run.dir, env, locate: (name) => requireExecutable(name, env) });
    return { id: run.id, sessionId: run.sessionId, json };
  }

  /** Files the run changed, against the baseline taken when it launched. */
  async diff(ref: string, options: { patch?: boolean } = {}): Promise<BaselineDiff & { id: string; baseline: string }> {
    const run = this.resolveRun(ref);
    // A cluster run's baseline is its base commit on the remote; the lead has no snapshot of its own.
    if (run.placement) return diffClusterRun(run, options);
    if (!run.baseline) throw new BatonError('conflict', `run ${run.id} has no baseline (it did not start)`);
    const result = await diffSinceBaseline(run.baseline, { ...options, storeDir: baselineStoreDir(runDirectory(this.home, run.id)), largeFileBytes: largeFileBytes(this.env) });
    const describe = run.baseline.kind === 'git' ? `git tree ${run.baseline.tree.slice(0, 12)} of ${run.baseline.repoRoot}` : `file snapshot of ${run.baseline.root}`;
    return { id: run.id, baseline: describe, ...result };
  }

  /** The last lines of a run's output, ANSI codes stripped unless raw. */
  tail(ref: string, options: { lines?: number; raw?: boolean } = {}): { id: string; lines: string[]; offset: number; partial: boolean; missing: boolean } {
    const run = this.resolveRun(ref);
    const { lines, size, partial, missing } = lastLines(run.logPath, options.lines ?? 80);
    return { id: run.id, lines: options.raw ? lines : lines.map(stripAnsi), offset: size, partial, missing };
  }

  /** `tail` of any run: a cluster run's log stays on its worker, which is asked for a bounded tail. */
  async fetchTail(ref: string, options: { lines?: number; raw?: boolean } = {}): Promise<ReturnType<Baton['tail']>> {
    const run = this.resolveRun(ref);
    if (!run.placement) return this.tail(run.id, options);
    await this.refreshCluster([run.id]);
    const tail = await this.cluster.tail(this.resolveRun(run.id), options.lines ?? 80, options.raw === true);
    return { ...tail, id: run.id };
  }

  /** Streams output appended after `offset` until the run ends; returns the final status. */
  async follow(ref: string, offset: number, onText: (text: string) => void, options: { raw?: boolean; signal?: AbortSignal } = {}): Promise<RunStatus> {
    const run = this.resolveRun(ref);
    if (run.placement) {
      // Pushed by its worker as the log grows; `offset` comes from fetchTail.
      await this.cluster.follow(run, offset, (text) => onText(options.raw ? text : stripAnsi(text)), options.signal);
      return this.statusOf(this.resolveRun(run.id));
    }
    for await (const event of this.followEvents(run.id, offset, options.signal ? { signal: options.signal } : {})) {
      if (event.kind === 'text') onText(options.raw ? event.text : stripAnsi(event.text));
    }
    return this.statusOf(this.resolveRun(run.id));
  }

  /** A run's log from `offset` as events (text, record changes, end): what follow and the dashboard's stream read. */
  followEvents(ref: string, offset: number, options: FollowOptions = {}): AsyncGenerator<FollowEvent> {
    const run = this.resolveRun(ref);
    if (run.placement) return clusterFollowEvents(this.cluster, run, offset, () => this.store.runs.stateOf(run.id), options);
    const source = {
      logPath: run.logPath,
      stateOf: () => this.store.runs.stateOf(run.id),
      // A supervisor that died leaves "running" behind: settle it as status and wait do.
      reconcile: () => {
        const record = this.store.runs.get(run.id);
        if (record) this.reconcile(record);
      },
      reconcileEveryMs: RECONCILE_EVERY_MS,
    };
    return followLog(source, offset, options);
  }
}

function withoutHolder(guards: RunGuards): RunGuards {
  const { heldFor: _holder, ...rest } = guards;
  return rest;
}
