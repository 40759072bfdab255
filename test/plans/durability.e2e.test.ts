import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { processFacts } from '../../src/processes/index.js';
import { makeGitRepo, makeTempDir } from '../mock-model/agent-harness.js';
import { runCli } from '../e2e/harness.js';
import { seededRandom } from '../seeded-random.js';
import { batonProcesses } from './baton-processes.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// The agent here is a small real program (through the cmd runner) that does the same thing however
// often it is launched: what is under test is Baton surviving SIGKILL, not the agent.
const AGENT = `#!/bin/sh
prompt=$(cat)
file=$(printf '%s' "$prompt" | sed -n 's/.*Create \\(phase[0-9]*\\.txt\\).*/\\1/p' | head -n 1)
sleep 0.3
printf 'made by the agent\\n' > "$file"
echo "wrote $file"
echo DONE
`;

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const PHASES = ['1', '2', '3'];

describe('SIGKILL of Baton processes at random moments, then plan resume', { concurrency: 3 }, () => {
  for (const seed of SEEDS) {
    test(`seed ${seed}: every phase committed exactly once, none skipped, the user's file untouched`, async (t) => {
      const next = seededRandom(seed);
      const repo = await makeGitRepo();
      const root = await makeTempDir('baton-durability-');
      t.after(() => Promise.all([rm(repo, { recursive: true, force: true }), rm(root, { recursive: true, force: true })]).then(() => undefined));
      const agent = join(root, 'agent.sh');
      writeFileSync(agent, AGENT);
      chmodSync(agent, 0o755);
      writeFileSync(join(repo, 'README.md'), '# scratch repo\nuser edit in progress\n');
      const env = { ...process.env, BATON_HOME: join(root, 'home'), NO_COLOR: '1' };
      const phases = PHASES.map((id) => `  - { id: "${id}", title: "Make ${id}", prompt: "Create phase${id}.txt", files: [phase${id}.txt], verify: ["test -f phase${id}.txt"] }`).join('\n');
      const plan = join(root, 'plan.yaml');
      writeFileSync(
        plan,
        `project: durability\ndir: ${repo}\ndefaults:\n  runner: cmd\n  runnerOptions: { command: "sh ${agent}", input: stdin, completion: "^DONE$" }\nphases:\n${phases}\n`,
      );
      const started = await runCli(['plan', 'run', plan, '--no-lint', '--json'], env);
      assert.equal(started.code, 0, started.stderr);
      const id = started.json.id as string;

      const kills: string[] = [];
      for (let round = 0; round < 3; round++) {
        await sleep(150 + next() * 1200);
        const runs = ((await runCli(['list', '--json', '--limit', '200'], env)).json as { id: string }[]).map((r) => r.id);
        const victims = batonProcesses(id, runs, env.BATON_HOME);
        if (victims.length === 0) break;
        const victim = victims[Math.floor(next() * victims.length)]!;
        const what = processFacts().commandLine(victim)?.includes('driver-main') ? 'driver' : 'supervisor';
        try {
          process.kill(victim, 'SIGKILL');
          kills.push(what);
        } catch {
          // It ended on its own just now.
        }
        await sleep(100);
        const status = (await runCli(['plan', 'status', id, '--json'], env)).json;
        if (status.state !== 'running' && status.state !== 'completed') await runCli(['plan', 'resume', id], env);
      }
      let final: any;
      for (let attempt = 0; attempt < 6; attempt++) {
        const waited = await runCli(['plan', 'wait', id, '--timeout', '40s', '--json'], env, 60_000);
        final = waited.json;
        if (final.state === 'completed') break;
        await runCli(['plan', 'resume', id], env);
      }
      t.diagnostic(`kills: ${kills.join(",") || "none"}`);
      assert.equal(final.state, "completed", `seed ${seed}, kills ${kills.join(',')}: ${JSON.stringify(final, null, 1)}`);

      const log = execFileSync('git', ['log', '--format=%s%x1f%b%x1e'], { cwd: repo, encoding: 'utf8' })
        .split('\x1e')
        .map((c) => c.trim())
        .filter((c) => c.startsWith('Phase '));
      assert.deepEqual(log.map((c) => c.split('\x1f')[0]).reverse(), PHASES.map((p) => `Phase ${p}: Make ${p}`), `seed ${seed}: one commit per phase, in order`);
      for (const commit of log) assert.match(commit, new RegExp(`Baton-Plan-Run: ${id}`));
      assert.equal(readFileSync(join(repo, 'README.md'), 'utf8'), '# scratch repo\nuser edit in progress\n');
      assert.match(execFileSync('git', ['status', '--porcelain'], { cwd: repo, encoding: 'utf8' }), / M README\.md/);
    });
  }
});
