/**
 * Setup shared by the end-to-end tests: a mock model replaying the fixture script, a temporary git
 * repo for the agent to work in, and an agent sandbox pointing the real CLI at the mock.
 */
import { rm } from 'node:fs/promises';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  loadScript,
  parseScript,
  prepareAgentSandbox,
  startMockModel,
  type AgentSandbox,
  type MockModel,
} from '../../src/mock-model/index.js';
import { ensureSharedDirWarm, killAllAgents, makeGitRepo, makeTempDir, runAgent, SHARED_XDG_DIR } from './agent-harness.js';

/** Everything a shell or an argv-mangling CLI could get wrong, ending in a newline. */
export const TRICKY_PROMPT =
  'Add a greeting module. Keep "double" and \'single\' quotes, $(echo not-run), `backticks`, $HOME,\n' +
  'ünïcödé, 日本語, emoji 🎉 — and this second line.\n';

export const FIXTURE_SCRIPT = fileURLToPath(new URL('../../../test/mock-model/fixtures/write-then-done.json', import.meta.url));
/** What the fixture's first step writes, relative to the workdir. */
export const WRITTEN_FILE = 'src/greeting.ts';
export const WRITTEN_CONTENT = "export const greeting = 'héllo from the scripted model';\n";

const API_KEY = 'baton-test-key';

export interface ScriptedSession {
  mock: MockModel;
  repo: string;
  sandbox: AgentSandbox;
}

/** Starts the mock and prepares repo and sandbox; everything is torn down after the test. */
export async function startScriptedSession(t: TestContext, options: { ohMyOpencode: boolean }): Promise<ScriptedSession> {
  const mock = await startMockModel({ script: await loadScript(FIXTURE_SCRIPT), apiKey: API_KEY });
  const repo = await makeGitRepo();
  const root = await makeTempDir('baton-sandbox-');
  t.after(async () => {
    await killAllAgents();
    await mock.close();
    await Promise.all([rm(repo, { recursive: true, force: true }), rm(root, { recursive: true, force: true })]);
  });
  const sandbox = await prepareAgentSandbox({
    baseUrl: mock.url,
    apiKey: API_KEY,
    root,
    shared: SHARED_XDG_DIR,
    ohMyOpencode: options.ohMyOpencode,
  });
  return { mock, repo, sandbox };
}

/**
 * One opencode run with the oh-my-opencode plugin, so opencode installs its plugin dependencies
 * into the shared config dir before any timed test runs (and never twice at once).
 */
export async function warmSharedXdgDir(): Promise<void> {
  await ensureSharedDirWarm(async () => {
    const mock = await startMockModel({ script: parseScript({ steps: [] }), apiKey: API_KEY });
    const root = await makeTempDir('baton-warmup-');
    try {
      const sandbox = await prepareAgentSandbox({ baseUrl: mock.url, apiKey: API_KEY, root, shared: SHARED_XDG_DIR });
      const run = await runAgent('opencode', ['run', '--format', 'json', '--model', sandbox.model], {
        cwd: root,
        env: sandbox.env,
        stdin: 'warm up',
        timeoutMs: 110_000,
      });
      if (run.exitCode !== 0) {
        throw new Error(`warm-up run failed (exit ${run.exitCode}, timed out: ${run.timedOut}):\n${run.stderr}`);
      }
    } finally {
      await killAllAgents();
      await mock.close();
      await rm(root, { recursive: true, force: true });
    }
  });
}

export function describeRun(run: { exitCode: number | null; timedOut: boolean; stdout: string; stderr: string }): string {
  return `exit ${run.exitCode}, timed out: ${run.timedOut}\n--- stdout\n${run.stdout.slice(-4000)}\n--- stderr\n${run.stderr.slice(-4000)}`;
}
