import { spawn } from 'node:child_process';
import { appendFileSync, closeSync, openSync, watch, writeFileSync, writeSync, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { applyEvent, emptyDigest, type RunDigest } from '../digest.js';
import type { RunEvent } from '../events.js';
import { takeBaseline, type Baseline } from '../baseline/index.js';
import { filesChangedSince } from '../baseline/files-changed.js';
import { largeFileBytes } from '../baseline/large-files.js';
import type { ProcessEnd } from '../detect/final-state.js';
import { reasonFields, type Reason } from '../reasons.js';
import { formatDuration } from '../duration.js';
import { setLongTimeout } from '../long-timer.js';
import { DiskGuard } from './disk-guard.js';
import { diagnose } from './run-diagnostics.js';
import { getRunner } from '../runners/registry.js';
import { requireExecutable } from '../runners/locate.js';
import type { Invocation } from '../runners/types.js';
import type { Store } from '../store/index.js';
import { runDirectory } from '../store/paths.js';
import type { RunRecord, RunState } from '../store/runs.js';
import { cancelledBeforeStart } from './cancel.js';
import { waitForSlot } from './admission.js';
import { freePort } from './free-port.js';
import { LogReader } from './log-reader.js';
import { groupMembers, RUN_MARKER, startTokenOf, terminateRun, type RunProcessRef } from '../processes/index.js';
import { endedByKill, judgeRun } from './judge.js';

/** How often the log is read even without a change notification, and stalls are checked. */
const TICK_MS = 200;
/** Progress is written to the store at most this often (state changes are written at once). */
const FLUSH_MS = 500;
const GROWTH_SAMPLE_MS = 15_000;
const GROWTH_SAMPLES = 80;

/**
 * Keeps a whole run's growth in a bounded list: the newer half stays at full resolution (the last
 * minutes, for "+N/min"), every other sample of the older half goes, so an hours-long run still has
 * its whole shape for a plot.
 */
export function thinOlderHalf(samples: [number, number][]): [number, number][] {
  const half = Math.floor(samples.length / 2);
  return [...samples.slice(0, half).filter((_, i) => i % 2 === 0), ...samples.slice(half)];
}
/** Launch attempts when the runner's own start-up fails (see RunnerAdapter.transientStartFailure). */
export const START_ATTEMPTS = 4;

export interface Handshake {
  pid?: number;
  error?: string;
}

/**
 * The supervision of one agent run, in the home's supervisor host or a run's own supervisor process:
 * starts the agent in its own process group with its output going straight to the log file (so the
 * agent keeps running and logging even if Baton dies), follows the log, keeps the store up to date and
 * writes the verdict when the agent exits.
 */
export class Supervision {
  private readonly digest: RunDigest;
  private readonly reader: LogReader;
  private parser;
  private readonly startRetries: string[] = [];
  /** During one read: whether every event was a retry notice (undefined: no events). */
  private retryOnlyOutput: boolean | undefined;
  /** Whether the current attempt's output has shown a session (then it is no start failure). */
  private sessionStarted = false;
  private state: RunState = 'running';
  private lastOutputAt = Date.now();
  private lastActivityAt = Date.now();
  private lastFlushAt = 0;
  private dirty = false;
  private urgent = false;
  private timedOutAfterMs: number | undefined;
  /** The reported cost when it passed the run's --max-cost: the agent is being ended for it. */
  private overBudgetAt: number | undefined;
  private pgid = 0;
  private agentStart: string | null = null;
  private watcher: FSWatcher | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private growth: [number, number][] = [];
  private readonly agentEnv: NodeJS.ProcessEnv;
  private baseline: Baseline | null = null;
  private readonly disk: DiskGuard;

  constructor(
    private readonly store: Store,
    private readonly run: RunRecord,
    private readonly home: string,
    private readonly report: (message: Handshake) => void,
    env: NodeJS.ProcessEnv,
  ) {
    this.digest = { ...emptyDigest(), ...(run.sessionId ? { sessionId: run.sessionId } : {}) };
    this.reader = new LogReader(run.logPath);
    this.parser = getRunner(run.runner).createParser(run.runnerOptions);
    this.agentEnv = { ...env };
    delete this.agentEnv.BATON_SUPERVISOR;
    this.disk = new DiskGuard(home, runDirectory(home, run.id));
    this.disk.reserve();
  }

  async start(): Promise<void> {
    // Queued at the claim: the agent, its baseline and its timers start only once it has a slot.
    if (this.store.runs.get(this.run.id)?.state === 'queued') {
      const queuedAt = Date.now();
      const admission = await waitForSlot(this.store, this.run.id, this.home, this.agentEnv);
      if (admission !== 'admitted') return this.disk.release();
      diagnose(runDirectory(this.home, this.run.id), `left the queue at ${new Date().toISOString()} after ${formatDuration(Date.now() - queuedAt)}`);
    }
    const run = this.run;
    const runner = getRunner(run.runner);
    const binary = requireExecutable(runner.executableFor?.(run.runnerOptions) ?? runner.binary, this.agentEnv);
    const runDir = runDirectory(this.home, run.id);
    let baseline: Baseline | null = null;
    try {
      baseline = await takeBaseline(run.dir, runDir, { largeFileBytes: largeFileBytes(this.agentEnv) });
      if (baseline.kind === 'git' && baseline.skipped?.length) {
        diagnose(runDirectory(this.home, this.run.id), `baseline: not hashed, over the large-file bound (compared by size and mtime): ${baseline.skipped.map((f) => `${f.path} (${f.size} bytes)`).join(', ')}\n`);
      }
      this.baseline = baseline;
    } catch (error) {
      diagnose(runDirectory(this.home, this.run.id), `baseline failed: ${(error as Error).message}\n`);
    }
    let handshakeSent = false;
    for (let attempt = 1; ; attempt++) {
      const invocation = await runner.buildLaunch(
        {
          prompt: run.prompt,
          dir: run.dir,
          ...(run.agent && { agent: run.agent }),
          ...(run.model && { model: run.model }),
          ...(run.parentId && run.sessionId && { sessionId: run.sessionId }),
          options: run.runnerOptions,
        },
        { binary, locate: (name) => requireExecutable(name, this.agentEnv), freePort, runDir, env: this.agentEnv },
      );
      // A kill that came while the baseline was taken cancels the run before anything starts.
      if (attempt === 1 && cancelledBeforeStart(this.store, run.id)) return this.disk.release();
      const child = this.spawnAgent(invocation, runDir);
      const pid = child.pid;
      if (pid === undefined) {
        const message = await new Promise<string>((resolvePromise) => child.once('error', (e) => resolvePromise(e.message)));
        throw new Error(message);
      }
      const exited = new Promise<ProcessEnd>((resolvePromise) => {
        child.once('exit', (code, signal) => resolvePromise({ exitCode: code, signal, killRequested: false }));
      });
      this.pgid = pid;
      this.agentStart = startTokenOf(pid);
      if (invocation.sessionId && !this.digest.sessionId) this.apply({ kind: 'session', sessionId: invocation.sessionId });
      const startedAt = Date.now();
      this.lastOutputAt = startedAt;
      this.store.runs.update(run.id, {
        pid,
        pgid: pid,
        agentStart: this.agentStart,
        ...(this.digest.sessionId && { sessionId: this.digest.sessionId }),
        supervisorPid: process.pid,
        ...(!handshakeSent && { startedAt, baseline }),
        lastActivityAt: startedAt,
      });
      // A kill that read the record before this pid was written could not signal it: do it here.
      if (this.store.runs.get(run.id)?.killRequestedAt != null) void this.endAgentProcesses(5_000);
      if (!handshakeSent) {
        this.report({ pid });
        handshakeSent = true;
        this.follow();
        if (run.timeoutMs) {
          const timeoutMs = run.timeoutMs;
          setLongTimeout(() => {
            this.timedOutAfterMs = timeoutMs;
            void this.endAgentProcesses(5_000);
          }, timeoutMs, { unref: true });
        }
      }
      const end = await exited;
      const retry = attempt < START_ATTEMPTS ? this.startFailure(end) : null;
      if (!retry) return this.finish(end);
      // Bounded: the runner's own start-up failed before any session existed; try again, and say so.
      await this.endAgentProcesses(2_000);
      appendFileSync(run.logPath, `[baton] ${run.runner} failed to start (${retry}); retrying, attempt ${attempt + 1} of ${START_ATTEMPTS}\n`);
      this.startRetries.push(retry);
      this.digest.errors = [];
      this.parser = runner.createParser(this.run.runnerOptions);
      this.sessionStarted = false;
      // Back off, with jitter so that runs which failed together do not retry together.
      await new Promise((r) => setTimeout(r, 1_000 * attempt + Math.random() * 1_000));
    }
  }

  /** Why the exit looks like a failed start worth another try, or null. */
  private startFailure(end: ProcessEnd): string | null {
    if (end.exitCode === 0 || end.signal || this.sessionStarted || this.timedOutAfterMs !== undefined) return null;
    if (this.store.runs.get(this.run.id)?.killRequestedAt != null) return null;
    // Everything the failed attempt printed, including an error block the parser still holds.
    this.reader.readNew(this.onLine);
    this.reader.flush(this.onLine);
    for (const event of this.parser.end()) this.apply(event);
    const runner = getRunner(this.run.runner);
    return runner.transientStartFailure?.(this.digest.errors.map((e) => e.message)) ?? null;
  }

  /** Everything the agent started; its group is vouched for by us, the parent that made it. */
  private endAgentProcesses(graceMs: number) {
    const ref: RunProcessRef = { runId: this.run.id, pid: this.pgid, pgid: this.pgid, agentStart: this.agentStart };
    return terminateRun(ref, graceMs, groupMembers(this.pgid));
  }

  private spawnAgent(invocation: Invocation, runDir: string) {
    const logFd = openSync(this.run.logPath, 'a', 0o600);
    let stdinFd: number | 'ignore' = 'ignore';
    if (invocation.stdin !== undefined) {
      // A file rather than a pipe: the agent can read its prompt even if this supervisor dies.
      const stdinPath = join(runDir, 'stdin.txt');
      writeFileSync(stdinPath, invocation.stdin, { mode: 0o600 });
      stdinFd = openSync(stdinPath, 'r');
    }
    const child = spawn(invocation.command, invocation.args, {
      cwd: invocation.cwd,
      // opencode (a Bun binary) trusts an inherited PWD over its real working directory.
      env: { ...this.agentEnv, ...invocation.env, PWD: invocation.cwd, [RUN_MARKER]: this.run.id },
      detached: true,
      stdio: [stdinFd, logFd, logFd],
    });
    closeSync(logFd);
    if (typeof stdinFd === 'number') closeSync(stdinFd);
    child.on('error', () => undefined);
    return child;
  }

  private follow(): void {
    try {
      this.watcher = watch(this.run.logPath, () => this.tick());
      this.watcher.on('error', () => undefined);
    } catch {
      // Polling alone still works.
    }
    this.ticker = setInterval(() => this.tick(), TICK_MS);
  }

  private readonly onLine = (line: string): void => {
    for (const event of this.parser.push(line)) this.apply(event);
  };

  private apply(event: RunEvent): void {
    const now = Date.now();
    // Parsers rarely know the date; the moment Baton read the line is close enough.
    applyEvent(this.digest, event.at === undefined ? { ...event, at: now } : event);
    this.dirty = true;
    // A line no parser could read is counted, but it is not the agent doing something.
    if (event.kind === 'unparsed') return;
    if (event.kind === 'retry') this.retryOnlyOutput ??= true;
    else this.retryOnlyOutput = false;
    this.lastActivityAt = now;
    const maxCost = this.run.guards.maxCost;
    if (maxCost !== undefined && this.overBudgetAt === undefined && this.digest.cost > maxCost && this.pgid) {
      this.overBudgetAt = this.digest.cost;
      this.urgent = true;
      void this.endAgentProcesses(5_000);
    }
    if (event.kind === 'session') this.sessionStarted = true;
    if (event.kind === 'session' || event.kind === 'error') this.urgent = true;
  }

  private tick(): void {
    const now = Date.now();
    this.retryOnlyOutput = undefined;
    const read = this.reader.readNew(this.onLine);
    // A runner that only says it is retrying (codex reconnecting for ever) is not making progress.
    if (read > 0 && this.retryOnlyOutput !== true) {
      this.lastOutputAt = now;
      this.dirty = true;
      if (this.state === 'stalled') {
        this.state = 'running';
        this.urgent = true;
      }
    } else if (this.state === 'running' && now - this.lastOutputAt > this.run.stallAfterMs) {
      this.state = 'stalled';
      this.urgent = true;
    }
    const lastSample = this.growth[this.growth.length - 1];
    if (!lastSample || now - lastSample[0] >= GROWTH_SAMPLE_MS) {
      this.growth.push([now, this.reader.lines]);
      if (this.growth.length > GROWTH_SAMPLES) this.growth = thinOlderHalf(this.growth);
    }
    if (this.urgent || (this.dirty && now - this.lastFlushAt >= FLUSH_MS)) this.disk.attempt(() => this.flush(now));
  }

  private progressPatch() {
    return {
      outputBytes: this.reader.seen,
      outputLines: this.reader.lines,
      parsedOffset: this.reader.offset,
      lastOutputAt: this.lastOutputAt,
      lastActivityAt: this.lastActivityAt,
      digest: { ...this.digest, growth: this.growth },
      finalMessage: this.digest.finalMessage ?? null,
      ...(this.digest.sessionId && { sessionId: this.digest.sessionId }),
    };
  }

  private flush(now: number): void {
    const reasons: Reason[] = this.state === 'stalled' ? [{ kind: 'stalled', forMs: now - this.lastOutputAt, boundMs: this.run.stallAfterMs }] : [];
    // Never overwrite a verdict someone else wrote (a kill that finalised the run first).
    this.store.runs.updateIfState(this.run.id, ['running', 'stalled'], { ...this.progressPatch(), state: this.state, ...reasonFields(reasons) });
    this.lastFlushAt = now;
    this.dirty = false;
    this.urgent = false;
  }

  /** filesChanged from the baseline, as `baton diff` sees it; the tool events stay when there is none. */
  private async recordFilesOnDisk(): Promise<void> {
    if (!this.baseline) return;
    try {
      this.digest.filesOnDisk = await filesChangedSince(this.baseline, runDirectory(this.home, this.run.id), this.run.dir, largeFileBytes(this.agentEnv));
    } catch (error) {
      diagnose(runDirectory(this.home, this.run.id), `files changed since the baseline: ${(error as Error).message}\n`);
    }
  }

  private async finish(end: ProcessEnd): Promise<void> {
    if (this.ticker) clearInterval(this.ticker);
    this.watcher?.close();
    this.reader.readNew(this.onLine);
    this.reader.flush(this.onLine);
    this.reader.close();
    for (const event of this.parser.end()) this.apply(event);
    // The agent is gone; anything it left behind (a server child, in its group or escaped) goes too.
    await this.endAgentProcesses(2_000);
    await this.recordFilesOnDisk();

    const fresh = this.store.runs.get(this.run.id);
    const verdict = judgeRun(this.run, this.digest, {
      ...end,
      killRequested: endedByKill(end, fresh?.killRequestedAt != null),
      ...(this.timedOutAfterMs !== undefined && { timedOutAfterMs: this.timedOutAfterMs }),
    }, this.agentEnv);
    if (this.overBudgetAt !== undefined && verdict.state !== 'completed' && !endedByKill(end, fresh?.killRequestedAt != null)) {
      // Baton's own signal ended it: the budget is the reason, not a crash.
      verdict.state = 'failed';
      verdict.reasons = [{ kind: 'over-budget', cost: this.overBudgetAt, maxCost: this.run.guards.maxCost! }];
    }
    const retried: Reason[] = this.startRetries.length > 0 && verdict.state === 'failed'
      ? [{ kind: 'start-retried', times: this.startRetries.length, first: this.startRetries[0]! }]
      : [];
    const diskFault = this.disk.settle();
    this.store.runs.update(this.run.id, {
      ...this.progressPatch(),
      state: verdict.state,
      ...reasonFields([...(diskFault ? [diskFault] : []), ...verdict.reasons, ...retried]),
      limitResetAt: verdict.limitResetAt ?? null,
      exitCode: end.exitCode,
      signal: end.signal,
      endedAt: Date.now(),
    });
    this.store.close();
  }
}

/** Writes the handshake line on fd 3 when the launcher gave us one. */
export function handshakeWriter(): (message: Handshake) => void {
  let open = true;
  return (message) => {
    if (!open) return;
    open = false;
    try {
      writeSync(3, `${JSON.stringify(message)}\n`);
      closeSync(3);
    } catch {
      // Launched without a handshake pipe (tests, manual runs).
    }
  };
}
