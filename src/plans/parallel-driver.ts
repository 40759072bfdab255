import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { isAgentBookkeeping } from '../baseline/bookkeeping.js';
import type { PhaseRecord, PhaseWorktree } from '../store/plans.js';
import { isParallelPlan, readyPhases } from './dag.js';
import type { PhaseOutcome, PhasePlace, PlanDriver } from './driver.js';
import { findPhaseCommit, PhaseBlocked, phaseCommitMessage } from './git-state.js';
import {
  abortConflictResolution,
  branchTip,
  conflictInProgress,
  conflictReason,
  finishConflictResolution,
  finishMerge,
  mergePhase,
  startConflictResolution,
  userWorkReason,
} from './merge.js';
import type { Plan, PlanPhase } from './schema.js';
import { fixPrompt, runVerification } from './verify.js';
import {
  clearStaleGitLocks,
  commitPhaseWork,
  ensurePhaseWorktree,
  preparePhaseWorktree,
  removePhaseWorktree,
  removePlanLeftovers,
  SetupFailed,
} from './worktrees.js';

/** How often the scheduler looks again when no phase task or merge has ended meanwhile. */
const TICK_MS = 1_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const DONE_STATES: ReadonlySet<string> = new Set(['committed', 'skipped']);

/**
 * Drives a parallel plan: up to maxParallel phases at once, each in its own worktree on its own
 * branch, then merged onto the plan branch one at a time, strictly in `order`. The phases' own
 * attempts (resume, fix, limit waits, crash recovery) are the serial driver's, run in the worktree.
 * Everything is recorded before it is done, so a driver started again by `plan resume` first
 * reconciles the record with the repository (`reconcile`) and carries on.
 */
export class ParallelScheduler {
  /** Phase tasks in flight: worktree, agent runs, verification, the work commit. */
  private readonly tasks = new Map<string, Promise<void>>();
  private merging: Promise<void> | null = null;
  /** The first unexpected error of a task: the driver fails with it, as a serial driver would. */
  private failure: unknown = null;
  /**
   * Git commands that change the repository's shared state (worktrees, refs, the user's checkout)
   * run one at a time: two `worktree add` or a merge beside them would race for git's lock files.
   */
  private gitTail: Promise<unknown> = Promise.resolve();

  constructor(private readonly d: PlanDriver) {}

  private get planRun() {
    return this.d.planRun;
  }

  private get root(): string {
    return this.planRun.repoRoot;
  }

  /** The branch phases merge into (checked at start: a parallel plan never runs on a detached HEAD). */
  private get branch(): string {
    return this.planRun.branch!;
  }

  /** The plan's directory relative to the repository: where in a worktree the agent and verification run. */
  private get subdir(): string {
    return relative(this.root, this.planRun.dir);
  }

  /**
   * The plan as the scheduler reads its needs. A serial plan run here (over the cluster) keeps its
   * meaning: each phase needs the one before it, so it sees that phase's work.
   */
  private get schedule(): Plan {
    const { plan, maxParallel } = this.planRun;
    if (isParallelPlan(plan, maxParallel)) return plan;
    return { ...plan, phases: plan.phases.map((phase, i) => ({ ...phase, needs: i === 0 ? [] : [plan.phases[i - 1]!.id] })) };
  }

  private phases(): PhaseRecord[] {
    return this.d.baton.store.plans.phases(this.d.planRunId);
  }

  private endPlan(state: 'completed' | 'blocked' | 'stopped', reasons: string[]): void {
    this.d.baton.store.plans.updatePlanRun(this.d.planRunId, { state, reasons, endedAt: Date.now() });
  }

  private serialGit<T>(work: () => Promise<T>): Promise<T> {
    const result = this.gitTail.then(work);
    this.gitTail = result.catch(() => undefined);
    return result;
  }

  async drive(): Promise<void> {
    const planRun = this.planRun;
    this.d.baton.store.plans.updatePlanRun(planRun.id, { state: 'running', reasons: [], driverPid: process.pid, endedAt: null });
    if (!planRun.branch) {
      this.endPlan('blocked', [`${this.root} was on a detached HEAD when the plan started; a parallel plan merges its phases into a branch: check out one and start the plan again`]);
      return;
    }
    await this.reconcile();
    const phaseById = new Map(planRun.plan.phases.map((p) => [p.id, p]));
    for (;;) {
      if (this.failure) throw this.failure;
      const stopping = this.d.stopRequested();
      const records = this.phases();
      const byId = new Map(records.map((r) => [r.phaseId, r]));
      const done = new Set(records.filter((r) => DONE_STATES.has(r.state)).map((r) => r.phaseId));
      if (done.size === records.length && this.tasks.size === 0 && !this.merging) break;
      const blocked = records.filter((r) => r.state === 'blocked');
      if (!stopping && blocked.length === 0) {
        // Started: in flight, or past its agent's work (queued to merge, merging) or stopped by a block.
        const started = new Set([...this.tasks.keys(), ...records.filter((r) => ['blocked', 'merge-queued', 'merging'].includes(r.state)).map((r) => r.phaseId)]);
        for (const phase of readyPhases(this.schedule, done, started)) {
          if (this.tasks.size >= planRun.maxParallel) break;
          this.startPhase(phase);
        }
      }
      if (!this.merging && !stopping) {
        // Strictly in order: only the first phase not yet committed may merge; the queue waits for it.
        const head = planRun.plan.phases.find((p) => !done.has(p.id));
        if (head && byId.get(head.id)?.state === 'merge-queued' && !this.tasks.has(head.id)) {
          this.merging = this.merge(phaseById.get(head.id)!)
            .catch((error: unknown) => {
              // A fix that cannot be sent (its worker lost once too often) blocks the phase, as in runPhase.
              if (error instanceof PhaseBlocked) this.d.block(head.id, [error.message]);
              else this.failure ??= error;
            })
            .finally(() => (this.merging = null));
        }
      }
      if (this.tasks.size === 0 && !this.merging) {
        if (stopping) {
          const unfinished = records.filter((r) => !DONE_STATES.has(r.state)).map((r) => r.phaseId);
          this.endPlan('stopped', [`stopped with phase(s) ${unfinished.join(', ')} unfinished (baton plan stop)`]);
          return;
        }
        if (blocked.length > 0) {
          this.endPlan('blocked', blocked.map((r) => `phase ${r.phaseId}: ${r.reasons.join('; ')}`));
          return;
        }
        const waiting = records.filter((r) => !DONE_STATES.has(r.state)).map((r) => `${r.phaseId} (${r.state})`);
        // Validation keeps order consistent with needs, so this is a bug or a hand-edited store: say so, don't spin.
        this.endPlan('blocked', [`no phase can start or merge: ${waiting.join(', ')}`]);
        return;
      }
      await Promise.race([...this.tasks.values(), ...(this.merging ? [this.merging] : []), sleep(TICK_MS)]);
    }
    await this.serialGit(() => removePlanLeftovers(this.root, this.d.baton.home, this.d.planRunId));
    this.endPlan('completed', []);
  }

  private startPhase(phase: PlanPhase): void {
    const task = this.runPhase(phase)
      .catch((error: unknown) => {
        if (error instanceof PhaseBlocked) this.d.block(phase.id, [error.message]);
        else this.failure ??= error;
      })
      .finally(() => this.tasks.delete(phase.id));
    this.tasks.set(phase.id, task);
  }

  /** The phase's worktree, made or found again, prepared once. */
  private async worktreeFor(phase: PlanPhase, record: PhaseRecord): Promise<PhaseWorktree> {
    const known = record.worktree;
    const found = known !== null && existsSync(known.path);
    const base = known?.base ?? (await branchTip(this.root, this.branch));
    const made = await this.serialGit(() => ensurePhaseWorktree({ root: this.root, home: this.d.baton.home, planRunId: this.d.planRunId, phaseId: phase.id, base }));
    // A worktree made again after a crash lost what its preparation copied or built.
    const worktree: PhaseWorktree = { ...made, prepared: found && known.prepared };
    this.d.update(phase.id, { worktree });
    return worktree;
  }

  private async runPhase(phase: PlanPhase): Promise<void> {
    let record = this.d.phaseRecord(phase.id);
    const worktree = await this.worktreeFor(phase, record);
    record = this.d.update(phase.id, {
      // Killed between its verification and its work commit: commit now rather than run again.
      state: record.state === 'committing' ? 'committing' : 'running',
      reasons: [],
      startedAt: record.startedAt ?? Date.now(),
      endedAt: null,
    });
    if (!worktree.prepared) {
      try {
        const { preexisting } = await preparePhaseWorktree({ root: this.root, worktree: worktree.path, ...(phase.setup && { setup: phase.setup }), env: this.d.baton.env });
        // What the preparation left in the worktree (copied files, build output) is not the agent's work.
        record = this.d.update(phase.id, { worktree: { ...worktree, prepared: true }, userDirty: preexisting });
      } catch (error) {
        if (!(error instanceof SetupFailed)) throw error;
        this.d.block(phase.id, [error.message]);
        return;
      }
    }
    await this.d.attempts(phase, record, this.place(worktree));
  }

  private place(worktree: PhaseWorktree): PhasePlace {
    return { dir: join(worktree.path, this.subdir), finish: (phase) => this.commitWork(phase) };
  }

  /** The end of a phase's attempts: a conflict it was resolving is concluded, its work committed on its branch. */
  private async commitWork(phase: PlanPhase): Promise<PhaseOutcome> {
    let record = this.d.phaseRecord(phase.id);
    const worktree = record.worktree!;
    if (await conflictInProgress(worktree.path)) {
      const result = await finishConflictResolution({ worktree, exclude: isAgentBookkeeping });
      if (!result.resolved) {
        if (record.fixes >= phase.maxFixes) {
          await abortConflictResolution(worktree.path);
          return this.d.block(phase.id, [conflictReason(result.unresolved)]);
        }
        const prompt = `These files still hold merge conflicts: ${result.unresolved.join(', ')}. Resolve every conflict (keep what both sides meant), remove all <<<<<<<, ======= and >>>>>>> lines, and save the files.`;
        record = await this.d.resume(phase, record, 'fix', prompt, join(worktree.path, this.subdir));
        return this.d.attempts(phase, record, this.place(worktree));
      }
      this.d.update(phase.id, { worktree: { ...worktree, base: result.base } });
    }
    await commitPhaseWork({ worktree: worktree.path, message: `baton: phase ${phase.id} work`, exclude: isAgentBookkeeping, preexisting: record.userDirty ?? {} });
    this.d.update(phase.id, { state: 'merge-queued', reasons: [] });
    return { kind: 'merge-queued' };
  }

  /** Merges the head of the queue onto the plan branch, or sends it back to its agent, or blocks it. */
  private async merge(phase: PlanPhase): Promise<void> {
    let record = this.d.phaseRecord(phase.id);
    // The folder may be gone after a crash or a user's clean-up; its branch holds the work.
    const worktree = existsSync(record.worktree!.path) ? record.worktree! : await this.worktreeFor(phase, record);
    const dir = join(worktree.path, this.subdir);
    const outcome = await this.serialGit(() =>
      mergePhase({
        root: this.root,
        branch: this.branch,
        worktree,
        message: phaseCommitMessage(this.d.planRunId, phase.id, phase.title),
        subdir: this.subdir,
        verify: (at) => runVerification(phase.verify, at, this.d.baton.env),
        recordMerging: (merge) => void this.d.update(phase.id, { state: 'merging', merge }),
        onRebased: (base) => void this.d.update(phase.id, { worktree: { ...this.d.phaseRecord(phase.id).worktree!, base } }),
      }),
    );
    switch (outcome.kind) {
      case 'merged':
        await this.committed(phase.id, outcome.paths.length > 0 ? outcome.sha : null, outcome.paths);
        return;
      case 'user-work':
        this.d.block(phase.id, [userWorkReason(outcome.paths)]);
        return;
      case 'verify-failed': {
        const { verification } = outcome;
        record = this.d.update(phase.id, { verification });
        if (record.fixes >= phase.maxFixes) {
          this.d.block(phase.id, [`verification \`${verification.command}\` still fails (exit ${verification.exitCode}) on the plan branch's tip after ${record.fixes} fix attempt(s)`]);
          return;
        }
        await this.d.resume(phase, record, 'fix', fixPrompt(verification), dir);
        this.startPhase(phase);
        return;
      }
      case 'conflict': {
        if (record.fixes >= phase.maxFixes) {
          if (await conflictInProgress(worktree.path)) await abortConflictResolution(worktree.path);
          this.d.block(phase.id, [conflictReason(outcome.conflicts)]);
          return;
        }
        const tip = await branchTip(this.root, this.branch);
        const since = record.startedAt ?? 0;
        const otherPhases = this.phases()
          .filter((r) => r.state === 'committed' && (r.endedAt ?? 0) >= since && r.phaseId !== phase.id)
          .map((r) => r.phaseId);
        const { prompt } = await this.serialGit(() => startConflictResolution({ root: this.root, worktree, tip, otherPhases }));
        await this.d.resume(phase, record, 'fix', prompt, dir);
        this.startPhase(phase);
        return;
      }
    }
  }

  /** `sha` null: the phase changed nothing the plan branch lacked, so it has no commit of its own. */
  private async committed(phaseId: string, sha: string | null, paths: string[]): Promise<void> {
    const reasons = sha ? [] : ['the phase changed no files; nothing to commit'];
    const record = this.d.update(phaseId, { state: 'committed', commitSha: sha, committedPaths: paths, merge: null, reasons, endedAt: Date.now() });
    if (record.worktree) {
      const { path, branch } = record.worktree;
      await this.serialGit(() => removePhaseWorktree(this.root, { path, branch }));
      this.d.update(phaseId, { worktree: null });
    }
  }

  /**
   * Brings the record in line with the repository after a crash: a phase whose commit is on the plan
   * branch is committed (exactly once), a merge cut short is finished or started over, stale git
   * locks in Baton's worktrees are removed, and a conflict merge begun but never handed to the agent
   * is undone.
   */
  private async reconcile(): Promise<void> {
    for (const record of this.phases()) {
      if (DONE_STATES.has(record.state)) continue;
      const { phaseId } = record;
      if (record.state === 'merging' && record.merge) {
        const merge = record.merge;
        const finished = await this.serialGit(() => finishMerge({ root: this.root, branch: this.branch, merge }));
        if (finished.done) {
          await this.committed(phaseId, finished.sha, merge.paths);
          continue;
        }
        this.d.update(phaseId, { state: 'merge-queued', merge: null });
      } else if (record.state === 'merging') {
        // Killed before the merge was recorded: nothing moved yet.
        this.d.update(phaseId, { state: 'merge-queued' });
      }
      const already = await findPhaseCommit(this.root, this.d.planRunId, phaseId, `refs/heads/${this.branch}`);
      if (already) {
        await this.committed(phaseId, already, record.committedPaths ?? []);
        continue;
      }
      const worktree = record.worktree;
      if (!worktree && record.state === 'merge-queued') {
        // Its worktree and branch were cleaned away (baton plan clean): the phase's work is gone with them.
        this.d.update(phaseId, { state: 'pending' });
        continue;
      }
      if (!worktree || !existsSync(worktree.path)) continue;
      await clearStaleGitLocks(worktree.path);
      if (record.state === 'merge-queued' && (await conflictInProgress(worktree.path))) await abortConflictResolution(worktree.path);
    }
  }
}
