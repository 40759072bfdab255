/**
 * End-to-end setup: a scripted model, a temp git repo, an agent sandbox pointing the real CLIs at the
 * model, a private BATON_HOME, and `cli()` to run the real `baton` binary as a user would.
 */
import { spawn } from 'node:child_process';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { groupMembers } from '../../src/processes/index.js';
import { parseScript, prepareAgentSandbox, startMockModel, type AgentSandbox, type MockModel, type ScriptInput } from '../../src/mock-model/index.js';
import { makeGitRepo, makeTempDir, SHARED_XDG_DIR } from '../mock-model/agent-harness.js';
import { warmSharedXdgDir } from '../mock-model/scripted-session.js';
import { cleanupStack, removeTestDir } from '../cleanup.js';
import { waitFor } from '../wait-for.js';

export const BATON_BIN = fileURLToPath(new URL('../../../bin/baton.js', import.meta.url));
const API_KEY = 'baton-e2e-key';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON, when it is. */
  json: any;
  ms: number;
}

export interface BatonSession {
  mock: MockModel;
  repo: string;
  home: string;
  sandbox: AgentSandbox;
  env: NodeJS.ProcessEnv;
  cli(args: string[], options?: { env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<CliResult>;
}

export function runCli(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 90_000): Promise<CliResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BATON_BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      let json: unknown;
      try {
        json = JSON.parse(stdout);
      } catch {
        json = undefined;
      }
      resolve({ code, stdout, stderr, json, ms: performance.now() - started });
    });
  });
}

/** Kills every run of the env's BATON_HOME that is still active, through the CLI as a user would. */
export async function killActiveRuns(env: NodeJS.ProcessEnv): Promise<void> {
  const list = await runCli(['list', '--json', '--state', 'running,stalled'], env, 30_000);
  for (const run of (list.json ?? []) as { id: string }[]) await runCli(['kill', run.id, '--grace', '1s'], env, 30_000);
}

/** Starts everything a Baton end-to-end test needs; all of it is torn down after the test. */
export async function startBatonSession(t: TestContext, script: ScriptInput, options: { ohMyOpencode?: boolean; modelCost?: { input: number; output: number } } = {}): Promise<BatonSession> {
  await warmSharedXdgDir();
  const defer = cleanupStack(t);
  const mock = await startMockModel({ script: parseScript(script), apiKey: API_KEY });
  defer(() => mock.close());
  const repo = await makeGitRepo();
  defer(() => removeTestDir(repo));
  const root = await makeTempDir('baton-e2e-');
  defer(() => removeTestDir(root));
  const home = join(root, 'baton-home');
  const sandbox = await prepareAgentSandbox({
    baseUrl: mock.url,
    apiKey: API_KEY,
    root: join(root, 'agent'),
    shared: SHARED_XDG_DIR,
    ohMyOpencode: options.ohMyOpencode ?? true,
    ...(options.modelCost && { modelCost: options.modelCost }),
  });
  const env: NodeJS.ProcessEnv = { ...process.env, ...sandbox.env, BATON_HOME: home, NO_COLOR: '1' };
  delete env.FORCE_COLOR;
  const session: BatonSession = {
    mock,
    repo,
    home,
    sandbox,
    env,
    cli: (args, more = {}) => runCli(args, { ...env, ...more.env }, more.timeoutMs),
  };
  // Leave nothing running: kill every run of this home that is still active.
  defer(() => killActiveRuns(env));
  return session;
}

/**
 * The agent's pid once its supervisor has started it: `baton run` returns as soon as the run is
 * claimed, before the baseline and the agent's start, so its own `pid` may still be null.
 */
export async function agentPid(cli: (args: string[]) => Promise<CliResult>, id: string, timeoutMs = 30_000): Promise<number> {
  const pid = await waitFor(
    async () => {
      const status = (await cli(['status', id, '--json'])).json;
      return Number.isInteger(status?.pid) ? (status.pid as number) : null;
    },
    { what: `run ${id}'s agent pid`, timeoutMs, intervalMs: 100 },
  );
  return pid;
}

/** Pids of live processes whose process group is `pgid` (zombies excluded). */
export function livePidsInGroup(pgid: number): number[] {
  return groupMembers(pgid);
}

/** The phase-prompt template, as a lead would write it. */
export function phasePrompt(files: string[], verification?: string): string {
  return `You are implementing Phase 1 of scratch: a greeting module.

## Project
A scratch repository.

## Files to Create/Modify
${files.map((f) => `- \`${f}\``).join('\n')}

## Steps
1. Create the files listed above
${verification ? `2. Run \`${verification}\`, fix errors, report final result` : '2. Report the final result'}
`;
}
