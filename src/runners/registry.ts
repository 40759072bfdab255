import type { RunnerAdapter, RunnerName } from './types.js';
import { omoRunner } from './omo.js';
import { opencodeRunner } from './opencode.js';
import { cmdRunner } from './cmd.js';
import { claudeRunner } from './claude.js';
import { codexRunner } from './codex.js';

/** Every runner Baton knows, in one table: adding an agent CLI is one entry here plus its module. */
export const RUNNERS = {
  omo: omoRunner,
  opencode: opencodeRunner,
  cmd: cmdRunner,
  claude: claudeRunner,
  codex: codexRunner,
} as const satisfies Record<RunnerName, RunnerAdapter>;

export const RUNNER_NAMES = Object.keys(RUNNERS) as RunnerName[];

export function isRunnerName(name: string): name is RunnerName {
  return Object.hasOwn(RUNNERS, name);
}

export function getRunner(name: RunnerName): RunnerAdapter {
  return RUNNERS[name];
}
