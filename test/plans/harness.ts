import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { parseScript, prepareAgentSandbox, startMockModel, type MockModel, type ScriptInput } from '../../src/mock-model/index.js';
import { makeGitRepo, makeTempDir, SHARED_XDG_DIR } from '../mock-model/agent-harness.js';
import { warmSharedXdgDir } from '../mock-model/scripted-session.js';
import { runCli, type CliResult } from '../e2e/harness.js';
import { cleanupStack, removeTestDir } from '../cleanup.js';

export interface PlanSession {
  mock: MockModel;
  repo: string;
  root: string;
  env: NodeJS.ProcessEnv;
  model: string;
  cli(args: string[], timeoutMs?: number): Promise<CliResult>;
  /** Writes plan.yaml (outside the repo) and returns its path. */
  writePlan(yaml: string): string;
  git(...args: string[]): string;
}

/** A scripted model, a temp git repo, an opencode sandbox and a private BATON_HOME for plan tests. */
export async function startPlanSession(t: TestContext, script: ScriptInput, options: { modelCost?: { input: number; output: number } } = {}): Promise<PlanSession> {
  await warmSharedXdgDir();
  const defer = cleanupStack(t);
  const mock = await startMockModel({ script: parseScript(script), apiKey: 'plan-key' });
  defer(() => mock.close());
  const repo = await makeGitRepo();
  defer(() => removeTestDir(repo));
  const root = await makeTempDir('baton-plan-');
  defer(() => removeTestDir(root));
  const sandbox = await prepareAgentSandbox({
    baseUrl: mock.url,
    apiKey: 'plan-key',
    root: join(root, 'agent'),
    shared: SHARED_XDG_DIR,
    ohMyOpencode: false,
    ...(options.modelCost && { modelCost: options.modelCost }),
  });
  const env: NodeJS.ProcessEnv = { ...process.env, ...sandbox.env, BATON_HOME: join(root, 'home'), NO_COLOR: '1' };
  const cli = (args: string[], timeoutMs?: number) => runCli(args, env, timeoutMs);
  defer(async () => {
    const status = await cli(['plan', 'status', '--json']);
    if (status.json?.state === 'running') await cli(['plan', 'stop', status.json.id]);
  });
  return {
    mock,
    repo,
    root,
    env,
    model: sandbox.model,
    cli,
    writePlan(yaml) {
      const file = join(root, 'plan.yaml');
      writeFileSync(file, yaml);
      return file;
    },
    git: (...args) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' }),
  };
}

export const write = (path: string, content: string) => ({ tools: [{ name: 'write', args: { filePath: `{{workdir}}/${path}`, content } }] });

/**
 * Steps only the agent of `phaseId` takes: a parallel plan runs each phase in a worktree folder named
 * after it, so phases running side by side each follow their own steps whatever order they ask in.
 */
export const phaseSteps = (phaseId: string, ...steps: ScriptInput['steps']): ScriptInput['steps'] => steps.map((step) => ({ ...step, workdirName: phaseId }));
