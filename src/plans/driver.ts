import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { Baton } from '../baton.js';
import { snapshotWorkingTree } from '../baseline/git-tree.js';
import { isAgentBookkeeping } from '../baseline/bookkeeping.js';
import type { RunStatus } from '../report.js';
import { isActive } from '../store/runs.js';
import type { PhaseAttempt, PhaseRecord, PlanRunRecord } from '../store/plans.js';
import type { RunnerName } from '../runners/types.js';
import { acquireRepoLock } from '../repo-lock.js';
import {
  commitPhaseChanges,
  findPhaseCommit,
  PhaseBlocked,
  phaseCommitMessage,
  readRepoState,
  snapshotDirtyPaths,
} from './git-state.js';
import type { PlanPhase } from './schema.js';
import { fixPrompt, runVerification } from './verify.js';
import { outcomeUnknown } from '../supervise/orphan.js';
import { toPlanStatus } from './service.js';
import { writeFollowUp } from '../detect/follow-up.js';
import { formatUsd } from '../reasons.js';
import { emptyDigest } from '../digest.js';
import { largeFileBytes } from '../baseline/large-files.js';
import { isParallelPlan } from './dag.js';
import { ParallelScheduler } from './parallel-driver.js';
import { PhaseDispatch } from './cluster-place.js';
import { isRedisOutage } from '../cluster/lead-outage.js';
import { lostWorkerFrom, lostWorkerOf, MAX_REDISPATCHES, redispatchBound, redispatchesOf, redispatchNote, redispatchPrompt, type LostWorker } from './redispatch.js';

const WAIT_SLICE_MS = 1_000;
/** Usage-limit waits per phase before the plan blocks instead. */
const MAX_LIMIT_WAITS = 5;
/** When the provider does not say when its limit lifts. */
const DEFAULT_LIMIT_WAIT_MS = 5 * 60_000;
/** Resume a little after the announced reset, not on the dot. */
const LIMIT_MARGIN_MS = 2_000;
/** Runs of one phase whose supervisor may die before the plan blocks instead of trying again. */
const MAX_CRASH_RECOVERIES = 3;

/** How long a plan waits on a cluster run while Redis cannot be reached before it fails. */
const REDIS_OUTAGE_MS = 120_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `merge-queued`: a parallel phase verified and committed on its own branch, waiting to be merged. */
export type PhaseOutcome = { kind: 'committed' } | { kind: 'merge-queued' } | { kind: 'blocked'; reasons: string[] } | { kind: 'stopped' };

/**
 * Where a phase's agent works and what ends its attempts: the user's checkout and a commit on
 * their branch (serial plans), or the phase's worktree and a commit on its own branch (parallel).
 */
export interface PhasePlace {
  /** The run's directory; the files check and the verification run there too. */
  dir: string;
  /** What happens once the phase's verification passed (its record is in state `committing`). */
  finish(phase: PlanPhase): Promise<PhaseOutcome>;
}

/**
 * Drives one plan run to its end, phase after phase. Every step is recorded in the store before the
 * next begins, and every step can be redone safely: killed at any moment, the driver started again
 * by `baton plan resume` picks up where the record says, recognises a phase already committed by its
 * trailer, and adopts an agent run it had launched but not yet recorded.
 */
export class PlanDriver {
  private readonly store;
  /** Phases given their one retry after a failed run during this driver's life. */
  private readonly retried = new Set<string>();
  private dispatchOf: PhaseDispatch | undefined;

  constructor(
    readonly baton: Baton,
    readonly planRunId: string,
  ) {
    this.store = baton.store.plans;
  }

  get planRun(): PlanRunRecord {
    return this.store.getPlanRun(this.planRunId)!;
  }

  /** Where the plan's runs go: this machine, or the cluster's workers. */
  get dispatch(): PhaseDispatch {
    this.dispatchOf ??= new PhaseDispatch(this.baton, this.planRun.local === true);
    return this.dispatchOf;
  }

  async drive(): Promise<void> {
    const planRun = this.planRun;
    const release = planRun.noLock ? () => undefined : await acquireRepoLock(planRun.repoRoot, `plan run ${planRun.id}`);
    try {
      await this.drivePhases();
    } finally {
      release();
    }
    await this.notify();
  }

  /** Runs the plan's --on-complete / --on-blocked command with the plan's status JSON on stdin. */
  private async notify(): Promise<void> {
    const planRun = this.planRun;
    const command = planRun.state === 'completed' ? planRun.hooks.onComplete : planRun.state === 'blocked' ? planRun.hooks.onBlocked : undefined;
    if (!command || command.length === 0) return;
    const status = toPlanStatus(planRun, this.store.phases(planRun.id), true);
    const blockedPhase = status.phases.find((p) => p.state === 'blocked');
    const input = JSON.stringify({ plan: status, ...(blockedPhase && { phase: blockedPhase }) });
    await new Promise<void>((resolvePromise) => {
      const child = spawn(command[0]!, command.slice(1), { cwd: planRun.dir, env: this.baton.env, stdio: ['pipe', 'ignore', 'inherit'] });
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('error', (error) => {
        process.stderr.write(`notification command failed: ${error.message}\n`);
        clearTimeout(timer);
        resolvePromise();
      });
      child.on('close', () => {
        clearTimeout(timer);
        resolvePromise();
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(input);
    });
  }

  private async drivePhases(): Promise<void> {
    const planRun = this.planRun;
    // Over the cluster every phase gets a worktree of its own: agents never run in the user's checkout.
    if (isParallelPlan(planRun.plan, planRun.maxParallel) || this.dispatch.overCluster) {
      await new ParallelScheduler(this).drive();
      return;
    }
    {
      this.store.updatePlanRun(planRun.id, { state: 'running', reasons: [], driverPid: process.pid, endedAt: null });
      for (const phase of planRun.plan.phases) {
        const record = this.phaseRecord(phase.id);
        if (record.state === 'committed' || record.state === 'skipped') continue;
        const outcome = await this.drivePhase(phase);
        if (outcome.kind === 'blocked') {
          this.store.updatePlanRun(planRun.id, { state: 'blocked', reasons: [`phase ${phase.id}: ${outcome.reasons.join('; ')}`], endedAt: Date.now() });
          return;
        }
        if (outcome.kind === 'stopped') {
          this.store.updatePlanRun(planRun.id, { state: 'stopped', reasons: [`stopped during phase ${phase.id} (baton plan stop)`], endedAt: Date.now() });
          return;
        }
      }
      this.store.updatePlanRun(planRun.id, { state: 'completed', reasons: [], endedAt: Date.now() });
    }
  }

  phaseRecord(phaseId: string): PhaseRecord {
    return this.store.phases(this.planRunId).find((p) => p.phaseId === phaseId)!;
  }

  update(phaseId: string, patch: Partial<PhaseRecord>): PhaseRecord {
    this.store.updatePhase(this.planRunId, phaseId, patch);
    return this.phaseRecord(phaseId);
  }

  stopRequested(): boolean {
    return this.planRun.stopRequestedAt !== null;
  }

  block(phaseId: string, reasons: string[]): PhaseOutcome {
    this.update(phaseId, { state: 'blocked', reasons, endedAt: Date.now() });
    return { kind: 'blocked', reasons };
  }

  private async drivePhase(phase: PlanPhase): Promise<PhaseOutcome> {
    const root = this.planRun.repoRoot;
    let record = this.phaseRecord(phase.id);
    // Killed after the commit but before recording it: the trailer says it is done.
    const already = await findPhaseCommit(root, this.planRunId, phase.id);
    if (already) {
      this.update(phase.id, { state: 'committed', commitSha: already, reasons: [], endedAt: Date.now() });
      return { kind: 'committed' };
    }
    if (record.baseTree === null) {
      const repo = await readRepoState(root);
      if (repo.inProgress) return this.block(phase.id, [`a ${repo.inProgress} is in progress in ${root}; finish or abort it, then baton plan resume`]);
      // The phase's baseline: the working tree as the agent finds it, with the user's own edits in it.
      const [{ tree: baseTree }, userDirty] = await Promise.all([snapshotWorkingTree(root, this.objectStoreDir(), { largeFileBytes: this.largeFileBytes }), snapshotDirtyPaths(root, this.largeFileBytes)]);
      record = this.update(phase.id, { baseTree, userDirty, startedAt: Date.now(), state: 'running', reasons: [] });
    } else if (record.state === 'blocked' || record.state === 'pending') {
      // Resumed: the user may have committed or stashed their own edits meanwhile; only paths still
      // dirty keep protecting their work.
      const stillDirty = await snapshotDirtyPaths(root, this.largeFileBytes);
      const userDirty = Object.fromEntries(Object.entries(record.userDirty ?? {}).filter(([path]) => path in stillDirty));
      record = this.update(phase.id, { state: 'running', reasons: [], userDirty });
    }

    try {
      return await this.attempts(phase, record);
    } catch (error) {
      if (error instanceof PhaseBlocked) return this.block(phase.id, [error.message]);
      throw error;
    }
  }

  /** The user's checkout, where serial phases run and are committed onto the user's branch. */
  private get checkout(): PhasePlace {
    return { dir: this.planRun.dir, finish: (phase) => this.commit(phase) };
  }

  /** Runs, resumes and fixes the phase until it is committed (or queued to merge), blocks or the plan stops. */
  async attempts(phase: PlanPhase, record: PhaseRecord, place: PhasePlace = this.checkout): Promise<PhaseOutcome> {
    for (;;) {
      if (this.stopRequested()) return this.stopCurrent(phase.id);
      if (record.state === 'committing') return place.finish(phase);
      const run = await this.currentRun(phase, record, place.dir);
      const ended = await this.waitFor(run.id);
      if (ended === 'stopped') return this.stopCurrent(phase.id);
      await this.dispatch.bringBack(run.id, place.dir);
      record = this.phaseRecord(phase.id);
      const status = ended;
      this.recordAttemptState(phase.id, status);

      const lost = lostWorkerOf(status);
      if (lost) {
        // Its session went with its worker: a fresh start elsewhere, not one of the phase's resumes.
        record = await this.redispatch(phase, lost, place.dir);
        continue;
      }

      if (outcomeUnknown(status.reasonDetails)) {
        // Baton's supervisor died and the agent's outcome is unknown: continue it without charging
        // the phase's resumes, a bounded number of times.
        const crashes = record.attempts.filter((a) => a.afterCrash).length;
        if (crashes >= MAX_CRASH_RECOVERIES) return this.block(phase.id, [`Baton's supervisor died during ${crashes + 1} runs of this phase; see the runs' supervisor.log`]);
        record = await this.resume(phase, record, 'crash', undefined, place.dir);
        continue;
      }
      if (status.state === 'completed') {
        const missing = phase.files.filter((file) => !existsSync(this.expectedPath(file, place.dir)));
        if (missing.length > 0) {
          if (record.resumes >= phase.maxResumes) return this.block(phase.id, [`still missing ${missing.join(', ')} after ${record.resumes} resume(s)`]);
          // The plan runs its own verification after the phase: the follow-up asks only for the files.
          const prompt = writeFollowUp({
            reasons: missing.map((path) => ({ kind: 'missing-file', path })),
            digest: this.baton.store.runs.get(status.id)?.digest ?? emptyDigest(),
            spec: { expectedFiles: phase.files },
            dir: place.dir,
          });
          record = await this.resume(phase, record, 'resume', prompt, place.dir);
          continue;
        }
        record = this.update(phase.id, { state: 'verifying' });
        const verification = await runVerification(phase.verify, place.dir, this.baton.env);
        record = this.update(phase.id, { verification });
        if (verification.passed) {
          record = this.update(phase.id, { state: 'committing' });
          continue;
        }
        if (record.fixes >= phase.maxFixes) {
          return this.block(phase.id, [
            `verification \`${verification.command}\` still fails (exit ${verification.exitCode}) after ${record.fixes} fix attempt(s)`,
          ]);
        }
        record = await this.resume(phase, record, 'fix', fixPrompt(verification), place.dir);
        continue;
      }
      if (status.state === 'limited') {
        const waits = record.attempts.filter((a) => a.kind === 'limit').length;
        if (!phase.waitOnLimits || waits >= MAX_LIMIT_WAITS) {
          return this.block(phase.id, [`${status.reasons.join('; ')}${phase.waitOnLimits ? ` (waited ${waits} time(s) already)` : ' (waitOnLimits is off)'}`]);
        }
        const resumeAt = (status.limitResetAt ? Date.parse(status.limitResetAt) : Date.now() + DEFAULT_LIMIT_WAIT_MS) + LIMIT_MARGIN_MS;
        this.update(phase.id, { state: 'waiting', reasons: [`usage limit reached; resuming the session at ${new Date(resumeAt).toISOString()}`] });
        while (Date.now() < resumeAt) {
          if (this.stopRequested()) return this.stopCurrent(phase.id);
          await sleep(Math.min(1_000, resumeAt - Date.now()));
        }
        record = await this.resume(phase, this.update(phase.id, { reasons: [] }), 'limit', undefined, place.dir);
        continue;
      }
      if (status.state === 'incomplete') {
        if (record.resumes >= phase.maxResumes) {
          return this.block(phase.id, [`still incomplete after ${record.resumes} resume(s): ${status.reasons.join('; ')}`]);
        }
        record = await this.resume(phase, record, 'resume', undefined, place.dir);
        continue;
      }
      // Failed or killed. Once per driver start (that is, after baton plan resume) the phase gets
      // another attempt, continuing the session when there is one; a second failure blocks again.
      if (!this.retried.has(phase.id)) {
        this.retried.add(phase.id);
        record = await this.resume(phase, record, 'resume', undefined, place.dir);
        continue;
      }
      return this.block(phase.id, [`run ${status.id} ${status.state}: ${status.reasons.join('; ') || 'no reason given'}`]);
    }
  }

  /**
   * Where a file the phase's prompt names should be: relative paths from the plan's directory, and
   * absolute ones inside the repository moved into the phase's worktree when it has one.
   */
  private expectedPath(file: string, dir: string): string {
    if (!isAbsolute(file)) return resolve(dir, file);
    const inRepo = relative(this.planRun.repoRoot, file);
    if (dir === this.planRun.dir || inRepo.startsWith('..') || isAbsolute(inRepo)) return file;
    return join(dir, relative(this.planRun.dir, this.planRun.repoRoot), inRepo);
  }

  /** The phase's agent run: the recorded one, one launched but not yet recorded, or a new one. */
  private async currentRun(phase: PlanPhase, record: PhaseRecord, dir: string): Promise<{ id: string }> {
    if (record.currentRunId) return { id: record.currentRunId };
    const name = runName(this.planRunId, phase.id, record.attempts.length + 1);
    const adopted = this.baton.store.runs.idsByName(name)[0];
    if (adopted) {
      this.update(phase.id, { currentRunId: adopted, attempts: [...record.attempts, { runId: adopted, kind: 'launch' }] });
      return { id: adopted };
    }
    const launched = await this.launch(phase, name, phase.prompt, dir);
    this.update(phase.id, { currentRunId: launched.id, attempts: [...record.attempts, { runId: launched.id, kind: 'launch' }] });
    return { id: launched.id };
  }

  /**
   * Continues the phase's agent session with a follow-up (Baton's own when `prompt` is absent). A run
   * that never reported a session (a cmd runner without a session pattern) is launched afresh with
   * the original prompt and the follow-up appended.
   */
  async resume(phase: PlanPhase, record: PhaseRecord, why: 'resume' | 'fix' | 'limit' | 'crash', prompt?: string, dir = this.planRun.dir): Promise<PhaseRecord> {
    const name = runName(this.planRunId, phase.id, record.attempts.length + 1);
    // Waiting out a usage limit or Baton's own crash is not the agent's failure: neither uses up a bound.
    const counters = why === 'resume' ? { resumes: record.resumes + 1 } : why === 'fix' ? { fixes: record.fixes + 1 } : {};
    const previous = this.baton.resolveRun(record.currentRunId!);
    const lost = lostWorkerOf(previous);
    if (lost) return this.redispatch(phase, lost, dir, prompt);
    let runId = this.baton.store.runs.idsByName(name)[0];
    if (!runId) {
      if (previous.sessionId) {
        const maxCost = this.remainingBudget(phase);
        const placed = await this.dispatch.resumeOptions(previous, dir);
        try {
          runId = (await this.baton.resume(previous.id, prompt, { name, ...(maxCost !== undefined && { maxCost }), ...placed })).id;
        } catch (error) {
          // The follow-up cannot go back to the worker holding the session: that worker is gone.
          const gone = lostWorkerFrom(error, previous.id);
          if (!gone) throw error;
          return this.redispatch(phase, gone, dir, prompt ?? this.baton.statusOf(previous).followUp ?? undefined);
        }
      } else {
        const followUp = prompt ?? this.baton.statusOf(previous).followUp ?? 'Continue and finish the task.';
        runId = (await this.launch(phase, name, `${phase.prompt}\n\n${followUp}`, dir)).id;
      }
    }
    const kind = !previous.sessionId ? 'relaunch' : why === 'crash' ? 'resume' : why;
    const attempt: PhaseAttempt = { runId, kind, ...(why === 'crash' && { afterCrash: true as const }) };
    return this.update(phase.id, { ...counters, state: 'running', currentRunId: runId, attempts: [...record.attempts, attempt] });
  }

  /**
   * Restarts the phase cold, as a new run with its own prompt (plus the follow-up the lost session
   * would have had), from the phase's place as it is now. Bounded; charged to no resume or fix count.
   */
  async redispatch(phase: PlanPhase, lost: LostWorker, dir: string, followUp?: string): Promise<PhaseRecord> {
    // Read again: the caller's copy may predate the lost run's recorded state.
    const attempts = this.phaseRecord(phase.id).attempts;
    const done = redispatchesOf({ attempts });
    if (done >= MAX_REDISPATCHES) throw new PhaseBlocked(redispatchBound(lost, done));
    const name = runName(this.planRunId, phase.id, attempts.length + 1);
    const runId = this.baton.store.runs.idsByName(name)[0] ?? (await this.launch(phase, name, redispatchPrompt(phase.prompt, followUp), dir)).id;
    const attempt: PhaseAttempt = { runId, kind: 'redispatch', note: redispatchNote(lost) };
    return this.update(phase.id, { state: 'running', currentRunId: runId, attempts: [...attempts, attempt] });
  }

  /** What the plan has spent: the reported cost of every run of one phase, or of the whole plan run. */
  private spent(phaseId?: string): number {
    const phases = this.store.phases(this.planRunId).filter((p) => phaseId === undefined || p.phaseId === phaseId);
    return phases.flatMap((p) => p.attempts).reduce((sum, a) => sum + (this.baton.store.runs.get(a.runId)?.digest.cost ?? 0), 0);
  }

  /**
   * What the next run of the phase may spend: the lower of what is left of the phase's and the plan's
   * budgets (undefined: no budget). Throws PhaseBlocked when either is spent.
   */
  private remainingBudget(phase: PlanPhase): number | undefined {
    let remaining: number | undefined;
    for (const [whose, budget, spent] of [
      ['phase', phase.maxCost, () => this.spent(phase.id)],
      ['plan', this.planRun.plan.maxCost, () => this.spent()],
    ] as const) {
      if (budget === undefined) continue;
      const used = spent();
      if (used >= budget) throw new PhaseBlocked(`the ${whose}'s budget of ${formatUsd(budget)} is spent (${formatUsd(used)} reported so far; maxCost)`);
      remaining = Math.min(remaining ?? Infinity, budget - used);
    }
    return remaining;
  }

  private async launch(phase: PlanPhase, name: string, prompt: string, dir: string) {
    const maxCost = this.remainingBudget(phase);
    return this.baton.run({
      ...(await this.dispatch.runOptions(dir)),
      ...(maxCost !== undefined && { maxCost }),
      runner: phase.runner as RunnerName,
      dir,
      prompt,
      name,
      ...(phase.agent && { agent: phase.agent }),
      ...(phase.model && { model: phase.model }),
      ...(phase.stallAfterMs && { stallAfterMs: phase.stallAfterMs }),
      ...(phase.timeoutMs && { timeoutMs: phase.timeoutMs }),
      ...(phase.runnerOptions && { runnerOptions: phase.runnerOptions }),
      // This plan holds the repository's lock; its own runs go ahead.
      ignoreRepoLock: true,
    });
  }

  private recordAttemptState(phaseId: string, status: RunStatus): void {
    const record = this.phaseRecord(phaseId);
    const attempts: PhaseAttempt[] = record.attempts.map((a) => (a.runId === status.id ? { ...a, state: status.state } : a));
    this.update(phaseId, { attempts });
  }

  async waitFor(runId: string): Promise<RunStatus | 'stopped'> {
    let outageSince: number | null = null;
    for (;;) {
      let waited: Awaited<ReturnType<Baton['wait']>>;
      try {
        waited = await this.baton.wait([runId], { timeoutMs: WAIT_SLICE_MS });
        outageSince = null;
      } catch (error) {
        // Redis restarting under a cluster run: the run goes on on its worker, so the plan waits too (bounded).
        if (!isRedisOutage(error)) throw error;
        outageSince ??= Date.now();
        if (Date.now() - outageSince > REDIS_OUTAGE_MS) throw error;
        if (this.stopRequested()) return 'stopped';
        await sleep(WAIT_SLICE_MS);
        continue;
      }
      const { timedOut, runs } = waited;
      if (!timedOut && runs[0] && !isActive(runs[0].state)) return runs[0];
      if (this.stopRequested()) return 'stopped';
    }
  }

  async stopCurrent(phaseId: string): Promise<PhaseOutcome> {
    const record = this.phaseRecord(phaseId);
    if (record.currentRunId) await this.baton.kill(record.currentRunId, 2_000).catch(() => undefined);
    this.update(phaseId, { state: 'pending', reasons: ['stopped by baton plan stop'] });
    return { kind: 'stopped' };
  }

  /** The plan run's own git object store: phase snapshots go there, never into the user's repository. */
  private objectStoreDir(): string {
    return join(this.baton.home, 'plans', this.planRunId, 'git');
  }

  get largeFileBytes(): number {
    return largeFileBytes(this.baton.env);
  }

  private async commit(phase: PlanPhase): Promise<PhaseOutcome> {
    const record = this.phaseRecord(phase.id);
    try {
      const result = await commitPhaseChanges({
        root: this.planRun.repoRoot,
        storeDir: this.objectStoreDir(),
        baseTree: record.baseTree!,
        userDirty: record.userDirty ?? {},
        message: phaseCommitMessage(this.planRunId, phase.id, phase.title),
        exclude: isAgentBookkeeping,
        largeFileBytes: this.largeFileBytes,
      });
      this.update(phase.id, { state: 'committed', commitSha: result.sha, committedPaths: result.paths, reasons: result.sha ? [] : ['the phase changed no files; nothing to commit'], endedAt: Date.now() });
      return { kind: 'committed' };
    } catch (error) {
      if (error instanceof PhaseBlocked) return this.block(phase.id, [error.message]);
      throw error;
    }
  }
}

export function runName(planRunId: string, phaseId: string, attempt: number): string {
  return `plan ${planRunId} phase ${phaseId} #${attempt}`;
}
