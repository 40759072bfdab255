import { usageError } from '../errors.js';
import type { RunnerAdapter } from './types.js';
import { omoRunner } from './omo.js';
import { opencodeRunner } from './opencode.js';
import { cmdRunner } from './cmd.js';
import { claudeRunner } from './claude.js';
import { codexRunner } from './codex.js';

/**
 * Every runner Baton knows, in one table: adding an agent CLI is one entry here plus its module.
 * Everything else that lists runners (the RunnerName type, the CLI's and MCP's help, the plan schema,
 * the demo, the messages naming a runner) is derived from it.
 */
const TABLE = {
  omo: omoRunner,
  opencode: opencodeRunner,
  cmd: cmdRunner,
  claude: claudeRunner,
  codex: codexRunner,
};

/** A runner's name: a key of the table. */
export type RunnerName = keyof typeof TABLE;

export const RUNNERS: { readonly [Name in RunnerName]: RunnerAdapter } = TABLE;

export const RUNNER_NAMES = Object.keys(RUNNERS) as RunnerName[];

/** The runner a run, a plan phase or the demo gets when none is named. */
export const DEFAULT_RUNNER: RunnerName = 'omo';

export function isRunnerName(name: string): name is RunnerName {
  return Object.hasOwn(RUNNERS, name);
}

/** The one check of a runner name from outside (CLI flag, MCP input, library caller). */
export function checkRunnerName(name: string): RunnerName {
  if (!isRunnerName(name)) throw usageError(`unknown runner "${name}"; known runners: ${RUNNER_NAMES.join(', ')}`, { field: 'runner' });
  return name;
}

export function getRunner(name: RunnerName): RunnerAdapter {
  return RUNNERS[name];
}

/** The npm package that installs an executable some runner uses (a companion is another runner's binary). */
export function npmPackageOf(executable: string): string | undefined {
  return Object.values(RUNNERS).find((runner) => runner.binary === executable)?.npmPackage;
}

/** Runners `baton demo` can drive against the scripted model. */
export const DEMO_RUNNERS = RUNNER_NAMES.filter((name) => RUNNERS[name].demo !== undefined);

/** How to give a long prompt on stdin, runner by runner: "opencode, claude, codex, or cmd with input=stdin". */
export function stdinRunnersText(): string {
  const always = RUNNER_NAMES.filter((name) => RUNNERS[name].promptRoute({}) !== 'argv');
  const withOption = RUNNER_NAMES.filter((name) => RUNNERS[name].promptRoute({}) === 'argv' && RUNNERS[name].stdinOption !== undefined).map(
    (name) => `${name} with ${RUNNERS[name].stdinOption}`,
  );
  const all = [...always, ...withOption];
  return all.length <= 1 ? all.join('') : `${all.slice(0, -1).join(', ')}, or ${all.at(-1)}`;
}
