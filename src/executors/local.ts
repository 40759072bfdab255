import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BatonError } from '../errors.js';
import type { Handshake } from '../supervise/supervisor.js';
import { isProcessAlive } from '../supervise/process-group.js';
import { agentIdentity, terminateRun } from '../processes/index.js';
import { runDirectory } from '../store/paths.js';
import type { RunRecord } from '../store/runs.js';
import type { Executor, StartResult, StopResult } from './types.js';

const SUPERVISOR_MAIN = fileURLToPath(new URL('../supervise/supervisor-main.js', import.meta.url));
const HANDSHAKE_TIMEOUT_MS = 30_000;

/** Runs agents on this machine, each under a detached supervisor process. */
export class LocalExecutor implements Executor {
  readonly name = 'local';
  readonly host = hostname();

  constructor(
    private readonly home: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  start(run: RunRecord): Promise<StartResult> {
    const logFd = openSync(join(runDirectory(this.home, run.id), 'supervisor.log'), 'a', 0o600);
    const child = spawn(process.execPath, [SUPERVISOR_MAIN, run.id], {
      detached: true,
      stdio: ['ignore', logFd, logFd, 'pipe'],
      env: { ...this.env, ...run.sessionEnv, BATON_HOME: this.home, BATON_SUPERVISOR: '1' },
    });
    closeSync(logFd);
    child.unref();
    const channel = child.stdio[3] as NodeJS.ReadableStream & { destroy(): void; unref?(): void };
    return new Promise((resolve, reject) => {
      let text = '';
      const timer = setTimeout(() => {
        channel.destroy();
        reject(new BatonError('runtime', `the supervisor of run ${run.id} did not report within ${HANDSHAKE_TIMEOUT_MS / 1000}s; see ${join(runDirectory(this.home, run.id), 'supervisor.log')}`));
      }, HANDSHAKE_TIMEOUT_MS);
      const settle = () => {
        clearTimeout(timer);
        channel.destroy();
        const line = text.split('\n')[0] ?? '';
        let message: Handshake = {};
        try {
          message = JSON.parse(line) as Handshake;
        } catch {
          message = { error: `the supervisor exited before starting the agent; see ${join(runDirectory(this.home, run.id), 'supervisor.log')}` };
        }
        if (message.error) reject(new BatonError('runtime', message.error));
        else resolve({ pid: message.pid ?? null });
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
    if (!run.supervisorPid) return Date.now() - run.createdAt < HANDSHAKE_TIMEOUT_MS;
    if (!isProcessAlive(run.supervisorPid)) return false;
    try {
      // Guard against pid reuse: the process must still be a Baton supervisor for this run.
      const cmdline = readFileSync(`/proc/${run.supervisorPid}/cmdline`, 'utf8');
      return cmdline.includes('supervisor-main') && cmdline.includes(run.id);
    } catch {
      return true;
    }
  }

  isAgentAlive(run: RunRecord): boolean {
    // A live pid that another process took over (reboot, pid wrap-around) is not the agent.
    return agentIdentity({ runId: run.id, pid: run.pid, pgid: run.pgid, agentStart: run.agentStart }) === 'same';
  }
}
