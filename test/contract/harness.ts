/**
 * One contract, every runner: the same behaviour tests run against each agent CLI. A runner joins
 * by describing, in a RunnerHarness, how to point its real CLI at the scripted model and how its
 * tools write a file and run a command; then one small *.contract.test.ts file calls runContract.
 */
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { parseScript, startMockModel, type MockModel, type ScriptInput } from '../../src/mock-model/index.js';
import { makeGitRepo, makeTempDir } from '../mock-model/agent-harness.js';
import { killActiveRuns, runCli, type CliResult } from '../e2e/harness.js';
import { cleanupStack, removeTestDir } from '../cleanup.js';
import type { RunnerName } from '../../src/runners/registry.js';

type Step = ScriptInput['steps'][number];

export interface RunnerHarness {
  runner: RunnerName;
  /** Environment (and `baton run` flags such as --model) that point the real CLI at `mock`. */
  prepare(mock: MockModel, root: string): Promise<{ env: Record<string, string>; runArgs: string[] }>;
  /** A model step that makes the agent create `path` (relative to its working dir) with `content`. */
  writeFile(path: string, content: string): Step;
  /** A model step that makes the agent run a shell command. */
  runCommand(command: string): Step;
  /** Whether the runner reports token usage. */
  reportsTokens: boolean;
  /** Whether the CLI can be given a prompt too long for one argument (on stdin): else Baton must refuse it. */
  takesLongPrompts: boolean;
  /** A model step that fails the way the runner gives up quickly (e.g. HTTP 500 without retries). */
  apiFailure(): Step;
}

export const API_KEY = 'baton-contract-key';

export interface ContractSession {
  mock: MockModel;
  repo: string;
  home: string;
  runArgs: string[];
  cli(args: string[], options?: { timeoutMs?: number }): Promise<CliResult>;
  /** `baton run --json --runner R <runArgs> --dir repo …rest`. */
  launch(rest: string[]): Promise<CliResult>;
}

export async function startContractSession(t: TestContext, harness: RunnerHarness, script: ScriptInput): Promise<ContractSession> {
  const defer = cleanupStack(t);
  const mock = await startMockModel({ script: parseScript(script), apiKey: API_KEY });
  defer(() => mock.close());
  const repo = await makeGitRepo();
  defer(() => removeTestDir(repo));
  const root = await makeTempDir(`baton-contract-${harness.runner}-`);
  defer(() => removeTestDir(root));
  const home = join(root, 'baton-home');
  const prepared = await harness.prepare(mock, join(root, 'agent'));
  const env: NodeJS.ProcessEnv = { ...process.env, ...prepared.env, BATON_HOME: home, NO_COLOR: '1' };
  const cli = (args: string[], options: { timeoutMs?: number } = {}) => runCli(args, env, options.timeoutMs);
  defer(() => killActiveRuns(env));
  return {
    mock,
    repo,
    home,
    runArgs: prepared.runArgs,
    cli,
    launch: (rest) => cli(['run', '--json', '--runner', harness.runner, ...prepared.runArgs, '--dir', repo, ...rest]),
  };
}
