import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Baton } from '../baton.js';
import { BatonError, usageError } from '../errors.js';
import { newId } from '../ids.js';
import { isEntryProcessFor } from '../processes/index.js';
import type { PhaseRecord, PlanRunRecord, PlanState } from '../store/plans.js';
import { readRepoState } from './git-state.js';
import { repoLockHolder } from '../repo-lock.js';
import { loadPlan, PlanError, type Plan } from './schema.js';
import { lintPrompt } from '../prompts/index.js';
import { loadRoutingTable, resolveAutoAgent } from './route.js';
import { classifyPhase, expectedRange, judgeElapsed, readPhaseHistory, type PhaseHistory } from './timing.js';
import { splitWords } from '../runners/argv-template.js';
import { fileOverlaps, isParallelPlan, planWaves } from './dag.js';
import { mergePlaces, phaseStage, type RunStateOf } from './stage.js';
import { withBehind } from './behind.js';
import { planLeftovers, removePlanLeftovers } from './worktrees.js';
import { overCluster } from './cluster-place.js';

const DRIVER_SCRIPT = 'driver-main.js';
const DRIVER_MAIN = fileURLToPath(new URL(`./${DRIVER_SCRIPT}`, import.meta.url));

export interface PlanStartOptions {
  from?: string;
  only?: string[];
  dryRun?: boolean;
  /** Start even on a detached HEAD. */
  allowDetached?: boolean;
  /** Skip linting the phase prompts. */
  noLint?: boolean;
  /** Do not take (or respect) the one-plan-per-repository lock. */
  noLock?: boolean;
  /** Command lines (split like shell words, never run through a shell) run at the end. */
  onComplete?: string;
  onBlocked?: string;
  /** Phases that may run at once; overrides the plan's maxParallel. */
  maxParallel?: number;
  /** With a cluster configured: run the phases on this machine all the same. */
  local?: boolean;
}

/** The documented shape of `baton plan status --json`. */
export interface PlanStatus {
  id: string;
  project: string;
  planFile: string;
  dir: string;
  state: PlanState;
  reasons: string[];
  driverAlive: boolean;
  createdAt: string;
  endedAt: string | null;
  /** USD reported by every run of the plan so far, and the plan's budget (null: none). */
  cost: number;
  maxCost: number | null;
  /** Phases that may run at once (1: serial). */
  maxParallel: number;
  /** Phases that may run side by side whose Files name the same paths (a warning, not an error). */
  overlaps: { phases: [string, string]; paths: string[] }[];
  phases: PhaseStatus[];
}

/**
 * What a phase is doing, in the words plan status uses: `waiting-on-needs` (a phase it needs is not
 * committed), `queued-for-slot` (its agent waits in the machine-wide run queue), then `running`,
 * `verifying`, `queued-to-merge`, `merging`, `committed`, `blocked`; also `pending`, `waiting`
 * (a usage limit), `committing` and `skipped`.
 */
export type PhaseStage =
  | 'pending' | 'waiting-on-needs' | 'queued-for-slot' | 'running' | 'waiting' | 'verifying' | 'committing'
  | 'queued-to-merge' | 'merging' | 'committed' | 'blocked' | 'skipped';

export interface PhaseStatus {
  id: string;
  title: string;
  state: string;
  /** What kind of phase this looks like, its expected duration and how the elapsed time compares. */
  timing: { kind: string; expectedMinMs: number; expectedMaxMs: number; source: 'default' | 'history'; judgement: string; status: string } | null;
  reasons: string[];
  attempts: number;
  runs: { id: string; kind: string; state?: string; afterCrash?: true; note?: string; worker?: RunWorker }[];
  /** The cluster worker of the phase's current (or last) run; null: none yet, or the run is on this machine. */
  worker: RunWorker | null;
  /** USD reported by the phase's runs so far, and its budget (null: none). */
  cost: number;
  maxCost: number | null;
  resumes: number;
  fixes: number;
  startedAt: string | null;
  endedAt: string | null;
  durationMs: number | null;
  verification: { passed: boolean; command?: string; exitCode?: number | null } | null;
  commitSha: string | null;
  committedPaths: string[];
  /** Ids of the phases this one needs. */
  needs: string[];
  stage: PhaseStage;
  /** The phase's own worktree and branch while it has them (parallel plans). */
  worktree: { path: string; branch: string } | null;
  /** Commits the plan branch gained since the phase's worktree was made (null: no worktree). */
  behind: number | null;
  /** 1-based place in the merge queue (null: not queued to merge). */
  mergePlace: number | null;
}

export interface PlanStartResult {
  id: string | null;
  state: PlanState | 'dry-run';
  phases: { id: string; title: string; runner: string; agent?: string; model?: string; verify: string[]; needs: string[]; skipped: boolean }[];
  /** Phases that may run at once, and for a parallel plan the phases that may start together (null: serial). */
  maxParallel: number;
  waves: string[][] | null;
  /** As in plan status: phases that may run side by side whose Files name the same paths. */
  overlaps: PlanStatus['overlaps'];
}

/** What `plan clean` found a plan run left (parallel plans), and whether it removed it. */
export interface PlanCleanResult {
  id: string;
  worktrees: string[];
  branches: string[];
  removed: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Multi-phase plans on top of the run library: start, look, wait, resume, stop. */
export class Plans {
  constructor(private readonly baton: Baton) {}

  private get store() {
    return this.baton.store.plans;
  }

  private readonly costOf: CostOf = (runId) => this.baton.store.runs.get(runId)?.digest.cost ?? 0;
  private readonly runStateOf: RunStateOf = (runId) => this.baton.store.runs.get(runId)?.state;
  private readonly workerOf: WorkerOf = (runId) => {
    const placement = this.baton.store.runs.get(runId)?.placement;
    return placement?.worker ? { name: placement.worker, host: placement.workerHost } : null;
  };

  load(file: string): Plan {
    try {
      return loadPlan(file);
    } catch (error) {
      if (error instanceof PlanError) throw usageError(`invalid plan:\n${error.message}`);
      throw error;
    }
  }

  async start(file: string, options: PlanStartOptions = {}): Promise<PlanStartResult> {
    const plan = this.load(file);
    const routes = loadRoutingTable(this.baton.home);
    for (const phase of plan.phases) {
      if (phase.agent !== 'auto') continue;
      const decision = resolveAutoAgent(phase.prompt, routes);
      phase.agent = decision.agent;
      phase.model ??= decision.model;
      phase.routedBecause = decision.reason;
    }
    if (!options.noLint) {
      const problems = plan.phases.flatMap((phase) =>
        lintPrompt(phase.prompt)
          .filter((finding) => finding.severity === 'error')
          .map((finding) => `${phase.promptFile ?? `${plan.file} (phase ${phase.id}, inline prompt)`}:${finding.line}: ${finding.rule}: ${finding.message}`),
      );
      if (problems.length > 0) throw usageError(`the phase prompts have lint errors; fix them:\n${problems.join('\n')}`, { override: 'lint' });
    }
    const ids = plan.phases.map((p) => p.id);
    if (options.from !== undefined && !ids.includes(options.from)) throw usageError(`${options.from}: no such phase; phases are ${ids.join(', ')}`, { field: 'from' });
    for (const only of options.only ?? []) if (!ids.includes(only)) throw usageError(`${only}: no such phase; phases are ${ids.join(', ')}`, { field: 'only' });
    const fromIndex = options.from !== undefined ? ids.indexOf(options.from) : 0;
    const skipped = (id: string, index: number) => index < fromIndex || (options.only !== undefined && options.only.length > 0 && !options.only.includes(id));
    const summary = plan.phases.map((p, i) => ({
      id: p.id,
      title: p.title,
      runner: p.runner,
      ...(p.agent && { agent: p.agent }),
      ...(p.model && { model: p.model }),
      verify: p.verify,
      needs: p.needs,
      skipped: skipped(p.id, i),
    }));
    const maxParallel = options.maxParallel ?? plan.maxParallel;
    if (!Number.isInteger(maxParallel) || maxParallel < 1 || maxParallel > 32) throw usageError(`expected a whole number from 1 to 32, got ${maxParallel}`, { field: 'maxParallel' });
    const parallel = isParallelPlan(plan, maxParallel);
    const waves = parallel ? planWaves(plan, maxParallel, new Set(summary.filter((p) => p.skipped).map((p) => p.id))) : null;
    const overlaps = parallel ? fileOverlaps(plan) : [];
    const repo = await readRepoState(plan.dir);
    if (repo.inProgress) throw new BatonError('conflict', `a ${repo.inProgress} is in progress in ${repo.root}; finish or abort it before starting a plan`);
    if (!repo.branch && parallel) {
      throw new BatonError('conflict', `${repo.root} is on a detached HEAD; a parallel plan merges each phase into a branch, so check out one (--allow-detached is for serial plans)`);
    }
    if (!repo.branch && overCluster(this.baton, options.local === true)) {
      throw new BatonError('conflict', `${repo.root} is on a detached HEAD; a plan over the cluster merges each phase into a branch, so check out one (or --local)`);
    }
    if (!repo.branch && !options.allowDetached) throw new BatonError('conflict', `${repo.root} is on a detached HEAD; check out a branch`, { override: 'detached' });
    const hooks: PlanRunRecord['hooks'] = {};
    for (const field of ['onComplete', 'onBlocked'] as const) {
      const command = options[field];
      try {
        if (command) hooks[field] = splitWords(command);
      } catch (error) {
        throw usageError((error as Error).message, { field });
      }
    }
    if (!options.noLock) {
      const holder = await repoLockHolder(repo.root);
      if (holder) throw new BatonError('conflict', `${repo.root} is locked by ${holder.owner} (pid ${holder.pid}); one plan at a time per repository: wait for it or stop it`, { override: 'lock' });
    }
    if (options.dryRun) return { id: null, state: 'dry-run', phases: summary, maxParallel, waves, overlaps };
    const id = newId();
    const now = Date.now();
    // Kept with the plan run: a plan begun here stays here even if a cluster is configured before it resumes.
    const local = options.local === true || !overCluster(this.baton, false);
    this.store.insertPlanRun(
      { id, planFile: plan.file, project: plan.project, dir: plan.dir, repoRoot: repo.root, state: 'running', reasons: [], plan, driverPid: null, stopRequestedAt: null, hooks, noLock: options.noLock === true, branch: repo.branch, maxParallel, local, createdAt: now, endedAt: null },
      plan.phases.map((p, i) => ({
        planRunId: id, phaseId: p.id, position: i, title: p.title, state: skipped(p.id, i) ? 'skipped' : 'pending', reasons: [], attempts: [], resumes: 0, fixes: 0,
        currentRunId: null, baseTree: null, userDirty: null, verification: null, commitSha: null, committedPaths: null, worktree: null, merge: null, startedAt: null, endedAt: null,
      })),
    );
    this.spawnDriver(id);
    return { id, state: 'running', phases: summary, maxParallel, waves, overlaps };
  }

  private spawnDriver(id: string): void {
    const dir = join(this.baton.home, 'plans');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const logFd = openSync(join(dir, `${id}.driver.log`), 'a', 0o600);
    const child = spawn(process.execPath, [DRIVER_MAIN, id], {
      detached: true,
      stdio: ['ignore', logFd, logFd],
      env: { ...this.baton.env, BATON_HOME: this.baton.home },
    });
    closeSync(logFd);
    child.unref();
    this.store.updatePlanRun(id, { driverPid: child.pid ?? null });
  }

  resolve(ref?: string): PlanRunRecord {
    if (ref === undefined) {
      const latest = this.store.latestPlanRun();
      if (!latest) throw new BatonError('not-found', 'no plan runs yet (start one with baton plan run FILE)');
      return this.reconcile(latest);
    }
    const exact = this.store.getPlanRun(ref);
    if (exact) return this.reconcile(exact);
    const matches = this.store.planRunIdsWithPrefix(ref);
    if (matches.length === 1) return this.reconcile(this.store.getPlanRun(matches[0]!)!);
    if (matches.length > 1) throw usageError(`plan run id "${ref}" is ambiguous: ${matches.join(', ')}`);
    throw new BatonError('not-found', `no plan run "${ref}"`);
  }

  private driverAlive(record: PlanRunRecord): boolean {
    return record.driverPid !== null && record.driverPid > 0 && isEntryProcessFor(record.driverPid, DRIVER_SCRIPT, record.id);
  }

  /** A plan whose driver vanished (kill -9, reboot) must not claim to be running. */
  private reconcile(record: PlanRunRecord): PlanRunRecord {
    if (record.state !== 'running' || this.driverAlive(record)) return record;
    // Give a driver that was just spawned a moment to exist.
    if (Date.now() - record.updatedAt < 3_000 && record.driverPid === null) return record;
    const reasons = ["Baton's plan driver exited unexpectedly; baton plan resume continues where it stopped"];
    this.store.updatePlanRun(record.id, { state: 'failed', reasons, endedAt: Date.now() });
    return { ...record, state: 'failed', reasons };
  }

  /** Plan runs newest first, a page at a time (the dashboard's plan list). */
  list(options: { offset?: number; limit?: number } = {}): { total: number; plans: PlanStatus[] } {
    const { total, records } = this.store.listPlanRuns(options);
    const history = readPhaseHistory(this.baton.store.plans);
    return {
      total,
      plans: records.map((r) => this.reconcile(r)).map((r) => {
        const phases = this.store.phases(r.id);
        return withBehind(this.statusWithout(r, phases, history), r, phases);
      }),
    };
  }

  /** Plan runs whose record or phases changed at or after `since` (ms since epoch). */
  changedSince(since: number): { id: string; updatedAt: number }[] {
    return this.store.changedSince(since);
  }

  status(ref?: string): PlanStatus {
    const record = this.resolve(ref);
    const phases = this.store.phases(record.id);
    return withBehind(this.statusWithout(record, phases), record, phases);
  }

  /** A plan run's status without `behind` (git work per worktree phase), read the same way by every caller. */
  private statusWithout(record: PlanRunRecord, phases: PhaseRecord[], history: PhaseHistory = readPhaseHistory(this.baton.store.plans)): PlanStatus {
    return toPlanStatus(record, phases, this.driverAlive(record), history, this.costOf, this.runStateOf, this.workerOf);
  }

  async wait(ref: string | undefined, options: { timeoutMs?: number; signal?: AbortSignal; onChange?: (status: PlanStatus) => void } = {}): Promise<{ timedOut: boolean; status: PlanStatus }> {
    const id = this.resolve(ref).id;
    const deadline = options.timeoutMs !== undefined ? Date.now() + options.timeoutMs : Infinity;
    let last = '';
    for (;;) {
      // Without `behind` (a git rev-list per worktree phase) while polling: only the answer carries it.
      const record = this.resolve(id);
      const phases = this.store.phases(id);
      const status = this.statusWithout(record, phases);
      const fingerprint = `${status.state}|${status.phases.map((p) => p.state).join(',')}`;
      if (fingerprint !== last) {
        last = fingerprint;
        options.onChange?.(status);
      }
      if (status.state !== 'running') return { timedOut: false, status: withBehind(status, record, phases) };
      if (Date.now() >= deadline || options.signal?.aborted) return { timedOut: true, status: withBehind(status, record, phases) };
      await sleep(Math.min(200, Math.max(1, deadline - Date.now())));
    }
  }

  /** Continues a blocked, stopped or crashed plan run where it stopped. */
  async resume(ref?: string): Promise<PlanStatus> {
    const record = this.resolve(ref);
    if (record.state === 'completed') throw new BatonError('conflict', `plan run ${record.id} already completed`);
    if (record.state === 'running' && this.driverAlive(record)) throw new BatonError('conflict', `plan run ${record.id} is running (driver pid ${record.driverPid})`);
    for (const phase of this.store.phases(record.id)) {
      // A blocked phase gets fresh bounds; its agent session and its changes so far carry over.
      if (phase.state === 'blocked') this.store.updatePhase(record.id, phase.phaseId, { state: 'pending', resumes: 0, fixes: 0, reasons: [] });
    }
    this.store.updatePlanRun(record.id, { state: 'running', reasons: [], stopRequestedAt: null, endedAt: null, driverPid: null });
    this.spawnDriver(record.id);
    return this.status(record.id);
  }

  /**
   * Removes the phase worktrees and branches a stopped, blocked or failed plan run left; `onListed`
   * hears what will go before anything does. Never while its driver runs: it owns them then.
   */
  async clean(ref?: string, options: { dryRun?: boolean; onListed?: (left: Omit<PlanCleanResult, 'removed'>) => void } = {}): Promise<PlanCleanResult> {
    const record = this.resolve(ref);
    if (record.state === 'running') throw new BatonError('conflict', `plan run ${record.id} is running${record.driverPid ? ` (driver pid ${record.driverPid})` : ''}; stop it before cleaning up after it`);
    const left = await planLeftovers(record.repoRoot, this.baton.home, record.id);
    const nothing = left.worktrees.length === 0 && left.branches.length === 0;
    if (options.dryRun || nothing) return { id: record.id, ...left, removed: false };
    options.onListed?.({ id: record.id, ...left });
    await removePlanLeftovers(record.repoRoot, this.baton.home, record.id);
    // A phase must not point at a folder that is gone: resume makes it a new worktree.
    for (const phase of this.store.phases(record.id)) {
      if (phase.worktree && (left.worktrees.includes(phase.worktree.path) || left.branches.includes(phase.worktree.branch))) this.store.updatePhase(record.id, phase.phaseId, { worktree: null });
    }
    return { id: record.id, ...left, removed: true };
  }

  async stop(ref?: string): Promise<PlanStatus> {
    const record = this.resolve(ref);
    if (record.state !== 'running') return this.status(record.id);
    this.store.updatePlanRun(record.id, { stopRequestedAt: Date.now() });
    const { status } = await this.wait(record.id, { timeoutMs: 30_000 });
    if (status.state === 'running') {
      // The driver did not answer: stop its current run ourselves and record the stop.
      for (const phase of this.store.phases(record.id)) if (phase.currentRunId) await this.baton.kill(phase.currentRunId, 2_000).catch(() => undefined);
      this.store.updatePlanRun(record.id, { state: 'stopped', reasons: ['stopped by baton plan stop'], endedAt: Date.now() });
    }
    return this.status(record.id);
  }
}

function timingOf(record: PlanRunRecord, phase: PhaseRecord, history: PhaseHistory | undefined): PhaseStatus['timing'] {
  const planned = record.plan.phases.find((p) => p.id === phase.phaseId);
  if (!planned) return null;
  const { kind } = classifyPhase(planned.title, planned.prompt);
  // A phase is judged against the machine's other phases, never against its own duration.
  const range = expectedRange(kind, history && { [kind]: history[kind].filter((sample) => sample.planRunId !== record.id || sample.phaseId !== phase.phaseId) });
  const elapsed = phase.startedAt ? (phase.endedAt ?? Date.now()) - phase.startedAt : 0;
  const judgement = judgeElapsed(elapsed, range);
  return { kind, expectedMinMs: range.minMs, expectedMaxMs: range.maxMs, source: range.source, judgement: judgement.message, status: judgement.status };
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** What a run reported it cost, by id: plans add their runs' costs up. */
export type CostOf = (runId: string) => number;

/** The cluster worker that took a run. */
export interface RunWorker {
  name: string;
  host: string | null;
}

/** The worker of a run, by id (null: on this machine, or no worker took it yet). */
export type WorkerOf = (runId: string) => RunWorker | null;

export function toPlanStatus(record: PlanRunRecord, phases: PhaseRecord[], driverAlive: boolean, history?: PhaseHistory, costOf: CostOf = () => 0, runStateOf: RunStateOf = () => undefined, workerOf: WorkerOf = () => null): PlanStatus {
  const phaseCost = (p: PhaseRecord) => p.attempts.reduce((sum, a) => sum + costOf(a.runId), 0);
  // Plans stored before needs existed have none.
  const plan = { ...record.plan, phases: record.plan.phases.map((p) => ({ ...p, needs: p.needs ?? [], files: p.files ?? [] })) };
  const needsOf = (id: string) => plan.phases.find((planned) => planned.id === id)?.needs ?? [];
  const stateOf = (id: string) => phases.find((p) => p.phaseId === id)?.state;
  const places = mergePlaces(phases);
  return {
    id: record.id,
    project: record.project,
    planFile: record.planFile,
    dir: record.dir,
    state: record.state,
    reasons: record.reasons,
    driverAlive,
    createdAt: new Date(record.createdAt).toISOString(),
    endedAt: iso(record.endedAt),
    cost: phases.reduce((sum, p) => sum + phaseCost(p), 0),
    maxCost: record.plan.maxCost ?? null,
    maxParallel: record.maxParallel,
    overlaps: isParallelPlan(plan, record.maxParallel) ? fileOverlaps(plan) : [],
    phases: phases.map((p) => ({
      id: p.phaseId,
      title: p.title,
      state: p.state,
      timing: p.state === 'skipped' ? null : timingOf(record, p, history),
      reasons: p.reasons,
      attempts: p.attempts.length,
      runs: p.attempts.map((a) => {
        const worker = workerOf(a.runId);
        return { id: a.runId, kind: a.kind, ...(a.state && { state: a.state }), ...(a.afterCrash && { afterCrash: true as const }), ...(a.note && { note: a.note }), ...(worker && { worker }) };
      }),
      worker: p.attempts.length > 0 ? workerOf((p.currentRunId ?? p.attempts.at(-1)!.runId)) : null,
      cost: phaseCost(p),
      maxCost: record.plan.phases.find((planned) => planned.id === p.phaseId)?.maxCost ?? null,
      resumes: p.resumes,
      fixes: p.fixes,
      startedAt: iso(p.startedAt),
      endedAt: iso(p.endedAt),
      durationMs: p.startedAt ? (p.endedAt ?? Date.now()) - p.startedAt : null,
      verification: p.verification ? { passed: p.verification.passed, ...(p.verification.command && { command: p.verification.command, exitCode: p.verification.exitCode ?? null }) } : null,
      commitSha: p.commitSha,
      committedPaths: p.committedPaths ?? [],
      needs: needsOf(p.phaseId),
      stage: phaseStage(p, needsOf(p.phaseId), stateOf, runStateOf),
      worktree: p.worktree ? { path: p.worktree.path, branch: p.worktree.branch } : null,
      behind: null,
      mergePlace: places.get(p.phaseId) ?? null,
    })),
  };
}
