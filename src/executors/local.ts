import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BatonError } from '../errors.js';
import type { Handshake } from '../supervise/supervisor.js';
import { requestSupervision, type SupervisionAnswer } from '../supervise/host-client.js';
import { hostSocketUsable, isHostProcess } from '../supervise/host-identity.js';
import { agentIdentity, isEntryProcessFor, isProcessAlive, terminateRun } from '../processes/index.js';
import { runDirectory } from '../store/paths.js';
import type { RunRecord } from '../store/runs.js';
import type { Executor, StartResult, StopResult } from './types.js';

const SUPERVISOR_MAIN = fileURLToPath(new URL('../supervise/supervisor-main.js', import.meta.url));
const HANDSHAKE_TIMEOUT_MS = 30_000;

/** How long a launcher waits for a supervisor to claim its run (BATON_LAUNCH_TIMEOUT_MS overrides). */
function launchTimeoutMs(env: NodeJS.ProcessEnv): number {
  const override = Number(env.BATON_LAUNCH_TIMEOUT_MS);
  return override > 0 ? override : HANDSHAKE_TIMEOUT_MS;
}

/** One host process supervises every run of a home, unless its socket path cannot exist or BATON_SUPERVISOR_HOST=0. */
function useHost(home: string, env: NodeJS.ProcessEnv): boolean {
  return env.BATON_SUPERVISOR_HOST !== '0' && hostSocketUsable(home);
}

/** Runs agents on this machine, under a detached supervisor host shared by the home's runs. */
export class LocalExecutor implements Executor {
  readonly name = 'local';
  readonly host = hostname();

  constructor(
    private readonly home: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /**
   * Resolves once a supervisor has claimed the run (before the baseline and the agent's start, so at
   * once whatever the repository's size); the agent's pid usually comes later, in the record. Throws
   * when no supervisor claimed it in time: the caller then gives the run up, and a supervisor can
   * claim a run only while nobody has, so a given-up run never starts.
   */
  async start(run: RunRecord): Promise<StartResult> {
    const env = { ...this.env, ...run.sessionEnv, BATON_HOME: this.home };
    const deadline = Date.now() + launchTimeoutMs(this.env);
    const answer = useHost(this.home, this.env)
      ? await requestSupervision(this.home, { runId: run.id, env }, deadline)
      : await this.startDedicated(run, env, deadline);
    if ('claimed' in answer) return { pid: null };
    throw new BatonError('runtime', 'error' in answer ? answer.error : answer.unknown);
  }

  /** One supervisor process for this run alone (a home whose socket path is too long, or opted out). */
  private startDedicated(run: RunRecord, env: NodeJS.ProcessEnv, deadline: number): Promise<SupervisionAnswer> {
    const logPath = join(runDirectory(this.home, run.id), 'supervisor.log');
    const logFd = openSync(logPath, 'a', 0o600);
    const child = spawn(process.execPath, [SUPERVISOR_MAIN, run.id], {
      detached: true,
      stdio: ['ignore', logFd, logFd, 'pipe'],
      env: { ...env, BATON_SUPERVISOR: '1' },
    });
    closeSync(logFd);
    child.unref();
    const channel = child.stdio[3] as NodeJS.ReadableStream & { destroy(): void };
    return new Promise((resolve) => {
      let text = '';
      const timer = setTimeout(() => {
        channel.destroy();
        resolve({ unknown: `the supervisor of run ${run.id} did not claim it in time; see ${logPath}` });
      }, Math.max(0, deadline - Date.now()));
      const settle = () => {
        clearTimeout(timer);
        channel.destroy();
        const line = text.split('\n')[0] ?? '';
        try {
          const message = JSON.parse(line) as Handshake;
          resolve(message.error ? { error: message.error } : { claimed: true });
        } catch {
          resolve({ unknown: `the supervisor exited before claiming the run; see ${logPath}` });
        }
      };
      channel.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8');
        if (text.includes('\n')) settle();
      });
      channel.on('end', () => {
        if (!text.includes('\n')) settle();
      });
      channel.on('error', () => undefined);
    });
  }

  async stop(run: RunRecord, graceMs: number): Promise<StopResult> {
    // Only processes proven to be the run's (start time, environment marker) get a signal.
    const ref = { runId: run.id, pid: run.pid, pgid: run.pgid, agentStart: run.agentStart };
    const identity = agentIdentity(ref);
    const result = await terminateRun(ref, graceMs);
    return identity === 'other' && run.pid !== null ? { ...result, unproven: run.pid } : result;
  }

  isSupervised(run: RunRecord): boolean {
    if (run.host && run.host !== this.host) return true; // not ours to judge
    // Unclaimed: the launcher settles it when no supervisor claims it in time; judge only after that.
    if (!run.supervisorPid) return Date.now() - run.createdAt < 2 * launchTimeoutMs(this.env);
    if (!isProcessAlive(run.supervisorPid)) return false;
    // Guard against pid reuse: the process must still be this home's supervisor host, or this run's own supervisor.
    if (isHostProcess(run.supervisorPid, this.home)) return true;
    return isEntryProcessFor(run.supervisorPid, 'supervisor-main', run.id);
  }

  isAgentAlive(run: RunRecord): boolean {
    // A live pid that another process took over (reboot, pid wrap-around) is not the agent.
    return agentIdentity({ runId: run.id, pid: run.pid, pgid: run.pgid, agentStart: run.agentStart }) === 'same';
  }
}
