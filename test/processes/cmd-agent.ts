/**
 * Baton with a private home, launching tiny shell-script agents through the cmd runner: real
 * supervisors and real processes, cheap enough to start many of.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { Baton } from '../../src/baton.js';
import { processFacts, RUN_MARKER } from '../../src/processes/index.js';
import { makeGitRepo, makeTempDir } from '../mock-model/agent-harness.js';

export interface CmdAgentSession {
  baton: Baton;
  home: string;
  repo: string;
  env: NodeJS.ProcessEnv;
  /** Launches `script` (sh) as a cmd-runner agent whose output line `DONE` is its completion signal. */
  launch(script: string, options?: { timeoutMs?: number; name?: string }): Promise<string>;
}

export async function startCmdAgentSession(t: TestContext): Promise<CmdAgentSession> {
  const root = await makeTempDir('baton-cmd-');
  const repo = await makeGitRepo();
  const home = join(root, 'home');
  const env: NodeJS.ProcessEnv = { ...process.env, BATON_HOME: home, NO_COLOR: '1' };
  delete env[RUN_MARKER];
  const baton = new Baton({ home, env });
  const launched: string[] = [];
  let scripts = 0;
  t.after(async () => {
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
    await rm(root, { recursive: true, force: true });
    await rm(repo, { recursive: true, force: true });
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
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Live processes carrying the run's marker. */
export function markedProcesses(runId: string): number[] {
  const facts = processFacts();
  return facts.withEnv(RUN_MARKER, runId).filter((pid) => facts.row(pid)?.zombie === false);
}
