/**
 * Baton with a private home, launching tiny shell-script agents through the cmd runner: real
 * supervisors and real processes, cheap enough to start many of.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { Baton } from '../../src/baton.js';
import { processFacts, RUN_MARKER } from '../../src/processes/index.js';
import { makeGitRepo, makeTempDir } from '../mock-model/agent-harness.js';
import { cleanupStack, removeTestDir } from '../cleanup.js';
import { waitFor } from '../wait-for.js';

export interface CmdAgentSession {
  baton: Baton;
  home: string;
  repo: string;
  env: NodeJS.ProcessEnv;
  /** Launches `script` (sh) as a cmd-runner agent whose output line `DONE` is its completion signal. */
  launch(script: string, options?: { timeoutMs?: number; name?: string }): Promise<string>;
}

/** `extraEnv` goes into the env given to `new Baton`, never into process.env. */
export async function startCmdAgentSession(t: TestContext, extraEnv: NodeJS.ProcessEnv = {}): Promise<CmdAgentSession> {
  const defer = cleanupStack(t);
  const root = await makeTempDir('baton-cmd-');
  defer(() => removeTestDir(root));
  const repo = await makeGitRepo();
  defer(() => removeTestDir(repo));
  const home = join(root, 'home');
  const env: NodeJS.ProcessEnv = { ...process.env, BATON_HOME: home, NO_COLOR: '1', ...extraEnv };
  delete env[RUN_MARKER];
  const baton = new Baton({ home, env });
  const launched: string[] = [];
  let scripts = 0;
  defer(() => {
    for (const id of launched) {
      for (const pid of processFacts().withEnv(RUN_MARKER, id)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
    baton.close();
  });
  return {
    baton,
    home,
    repo,
    env,
    async launch(script, options = {}) {
      const path = join(root, `agent-${++scripts}.sh`);
      writeFileSync(path, script);
      const { id } = await baton.run({
        runner: 'cmd',
        dir: repo,
        prompt: 'do the thing',
        runnerOptions: { command: `sh ${path} {prompt}`, completion: '^DONE$' },
        ...(options.timeoutMs && { timeoutMs: options.timeoutMs }),
        ...(options.name && { name: options.name }),
      });
      launched.push(id);
      return id;
    },
  };
}

/** Polls until `check` holds, failing after `ms`: the machine is shared and busy. */
export async function until(check: () => boolean, what: string, ms = 30_000): Promise<void> {
  await waitFor(check, { what, timeoutMs: ms });
}

/** Live processes carrying the run's marker. */
export function markedProcesses(runId: string): number[] {
  const facts = processFacts();
  return facts.withEnv(RUN_MARKER, runId).filter((pid) => facts.row(pid)?.zombie === false);
}
