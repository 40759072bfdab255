import { execFile } from 'node:child_process';
import { usageError } from '../errors.js';
import { checkRunnerName, getRunner, RUNNER_NAMES } from '../runners/registry.js';
import { findExecutable } from '../runners/locate.js';
import type { RunnerName } from '../runners/types.js';

export interface WorkerRunner {
  name: RunnerName;
  /** First line of `<binary> --version`; null for cmd (its executable comes with each run) or when it did not say. */
  version: string | null;
}

const VERSION_TIMEOUT_MS = 10_000;

function versionOf(path: string): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(path, ['--version'], { timeout: VERSION_TIMEOUT_MS }, (error, stdout) => {
      const line = String(stdout ?? '').split('\n').find((l) => l.trim() !== '');
      resolve(error || !line ? null : line.trim().slice(0, 100));
    });
  });
}

/**
 * The runners a worker takes jobs for. Named ones must be installed. By default every installed agent
 * CLI, but not cmd: a cmd job carries its own command line, so a worker runs those only when told to
 * (--runners cmd), or anyone who can write to the queue could run anything on it.
 */
export async function workerRunners(named: string[] | undefined, env: NodeJS.ProcessEnv): Promise<WorkerRunner[]> {
  const names = named ? named.map(checkRunnerName) : RUNNER_NAMES.filter((name) => name !== 'cmd');
  const found: WorkerRunner[] = [];
  for (const name of names) {
    const adapter = getRunner(name);
    if (name === 'cmd') {
      found.push({ name, version: null });
      continue;
    }
    const path = findExecutable(adapter.binary, env);
    const missing = [adapter.binary, ...adapter.companions].filter((binary) => !findExecutable(binary, env));
    if (missing.length > 0) {
      if (named) throw usageError(`--runners ${name}: ${missing.join(', ')} is not installed on this machine`);
      continue;
    }
    found.push({ name, version: await versionOf(path!) });
  }
  if (found.length === 0) throw usageError('no agent CLI is installed here; name the runners this worker takes with --runners');
  return found;
}
