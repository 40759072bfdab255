import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { processFacts } from '../../src/processes/index.js';
import { openStore } from '../../src/store/index.js';
import { makeGitRepo, makeTempDir } from '../mock-model/agent-harness.js';
import { runCli } from '../e2e/harness.js';
import { seededRandom } from '../seeded-random.js';
import { waitFor } from '../wait-for.js';
import { batonProcesses } from './baton-processes.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// As in durability.e2e.test.ts, the agent is a small real program through the cmd runner that does
// the same thing however often it is launched: what is under test is Baton surviving SIGKILL.
const AGENT = `#!/bin/sh
prompt=$(cat)
file=$(printf '%s' "$prompt" | sed -n 's/.*Create \\(phase[a-z]*\\.txt\\).*/\\1/p' | head -n 1)
sleep 0.3
printf 'made by the agent\\n' > "$file"
echo "wrote $file"
echo DONE
`;

// A diamond: b and c run side by side in their own worktrees, then d on both.
const PHASES = [
  { id: 'a', needs: [] },
  { id: 'b', needs: ['a'] },
  { id: 'c', needs: ['a'] },
  { id: 'd', needs: ['b', 'c'] },
];
const SEEDS = [101, 102, 103];

describe('parallel plan: SIGKILL of Baton processes at random moments and mid-merge, then plan resume', { concurrency: 3 }, () => {
  for (const seed of SEEDS) {
    test(`seed ${seed}: every phase committed exactly once, in order, nothing left behind`, async (t) => {
      t.diagnostic(`seed ${seed}`);
      const next = seededRandom(seed);
      const repo = await makeGitRepo();
      const root = await makeTempDir('baton-par-durability-');
      t.after(() => Promise.all([rm(repo, { recursive: true, force: true }), rm(root, { recursive: true, force: true })]).then(() => undefined));
      const agent = join(root, 'agent.sh');
      writeFileSync(agent, AGENT);
      chmodSync(agent, 0o755);
      writeFileSync(join(repo, 'README.md'), '# scratch repo\nuser edit in progress\n');
      const home = join(root, 'home');
      const env = { ...process.env, BATON_HOME: home, NO_COLOR: '1' };
      // Verification that takes a moment, run in the worktree and again after the phase is brought
      // onto a moved tip: random kills land inside merges too.
      const phases = PHASES.map(
        ({ id, needs }) =>
          `  - { id: "${id}", title: "Make ${id}", prompt: "Create phase${id}.txt", files: [phase${id}.txt], needs: [${needs.map((n) => `"${n}"`).join(', ')}], verify: ["sleep 0.4 && test -f phase${id}.txt"] }`,
      );
      const plan = join(root, 'plan.yaml');
      writeFileSync(
        plan,
        `project: par-durability\ndir: ${repo}\nmaxParallel: 2\ndefaults:\n  runner: cmd\n  runnerOptions: { command: "sh ${agent}", input: stdin, completion: "^DONE$" }\nphases:\n${phases.join('\n')}\n`,
      );
      const started = await runCli(['plan', 'run', plan, '--no-lint', '--json'], env);
      assert.equal(started.code, 0, started.stderr);
      const id = started.json.id as string;
      const store = openStore(home);
      t.after(() => store.close());

      // What happened, in order, for the failure message: events, and each resume with what the plan said.
      const events: string[] = [];
      const resume = async (status: { state: string; reasons?: string[] }) => {
        events.push(`resume of ${status.state} (${(status.reasons ?? []).join('; ')})`);
        await runCli(['plan', 'resume', id], env);
      };
      const resumeIfDown = async () => {
        const status = (await runCli(['plan', 'status', id, '--json'], env)).json;
        if (status.state !== 'running' && status.state !== 'completed') await resume(status);
      };
      let sawParallel = false;
      const phasesNow = () => {
        const records = store.plans.phases(id);
        sawParallel ||= records.some((p) => p.worktree !== null || p.state === 'merge-queued' || p.state === 'merging');
        return records;
      };
      const killed = async (pid: number, what: string) => {
        try {
          process.kill(pid, 'SIGKILL');
          events.push(what);
        } catch {
          // It ended on its own just now.
        }
        await sleep(100);
        await resumeIfDown();
      };

      // Any Baton process of the plan, at a seeded moment (after phase `after` is committed, when b and
      // c run side by side).
      const randomKill = async (after?: string) => {
        if (after !== undefined) {
          await waitFor(() => store.plans.getPlanRun(id)!.state !== 'running' || phasesNow().some((p) => p.phaseId === after && p.state === 'committed'), {
            timeoutMs: 40_000,
            what: `phase ${after} committed`,
          });
        }
        await sleep(100 + next() * 1500);
        const runs = ((await runCli(['list', '--json', '--limit', '200'], env)).json as { id: string }[]).map((r) => r.id);
        const victims = batonProcesses(id, runs, home);
        if (victims.length === 0) return;
        const victim = victims[Math.floor(next() * victims.length)]!;
        const cmdline = processFacts().commandLine(victim) ?? '';
        const what = cmdline.includes('driver-main') ? 'driver' : cmdline.includes('supervisor-host') ? 'host' : 'supervisor';
        await killed(victim, `${what} (${phasesNow().map((p) => `${p.phaseId}:${p.state}`).join(' ')})`);
      };

      // The driver, between recording a phase `merging` (the commit it will move the branch to) and
      // recording it committed: polled from the store, since that window lasts a few git commands.
      const mergingKill = async () => {
        const waiting = phasesNow().filter((p) => p.phaseId !== 'a' && p.state !== 'committed');
        if (waiting.length === 0) return;
        const target = waiting[Math.floor(next() * waiting.length)]!.phaseId;
        // A kill before this one may have stopped the plan only now (a run whose supervisor died is
        // judged a moment later): then the plan is resumed below, and this kill has missed.
        const seen = await waitFor(() => (store.plans.getPlanRun(id)!.state !== 'running' ? { state: 'down' } : phasesNow().find((p) => p.phaseId === target && (p.state === 'merging' || p.state === 'committed'))), {
          timeoutMs: 40_000,
          intervalMs: 5,
          what: `phase ${target} merging`,
        });
        const driver = batonProcesses(id, [], home).find((pid) => processFacts().commandLine(pid)?.includes('driver-main'));
        if (seen.state === 'merging' && driver !== undefined) await killed(driver, `driver while ${target} merging`);
        else {
          events.push(`(missed ${target} merging: ${seen.state})`);
          await resumeIfDown();
        }
      };

      try {
        await randomKill();
        await randomKill('a');
        await mergingKill();
        await randomKill();
      } catch (error) {
        const status = (await runCli(['plan', 'status', id, '--json'], env)).json;
        throw new Error(`seed ${seed}, events ${events.join(', ')}: ${(error as Error).message}; plan status: ${JSON.stringify(status, null, 1)}`);
      }
      let final: any;
      for (let attempt = 0; attempt < 6; attempt++) {
        const waited = await runCli(['plan', 'wait', id, '--timeout', '40s', '--json'], env, 60_000);
        final = waited.json;
        if (final.state === 'completed') break;
        await resume(final);
      }
      t.diagnostic(`events: ${events.join(', ') || 'none'}`);
      const phasesSaid = (final?.phases ?? []).map((p: any) => `${p.id}:${p.state}:${p.commitSha ?? '-'}:[${(p.committedPaths ?? []).join(' ')}]:${(p.reasons ?? []).join('; ')}:${(p.runs ?? []).map((a: any) => `${a.kind}/${a.state}${a.afterCrash ? '/crash' : ''}`).join('+')}`);
      const context = `seed ${seed}, events ${events.join(', ')}; phases at the end ${phasesSaid.join(', ')}`;
      // Polling can miss it on a starved machine; the runs' folders cannot.
      const runDirs = ((await runCli(['list', '--json', '--limit', '200'], env)).json as { dir: string }[]).map((r) => r.dir);
      sawParallel ||= runDirs.some((dir) => dir.startsWith(join(home, 'worktrees')));
      assert.ok(sawParallel, `${context}: no phase was seen in a worktree or the merge queue, and no run ran in one: the plan ran serially`);
      assert.equal(final.state, 'completed', `${context}: ${JSON.stringify(final, null, 1)}`);

      const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' });
      // The user's checkout stays on its branch: a merge cut short must never leave it detached.
      assert.equal(git('rev-parse', '--abbrev-ref', 'HEAD').trim(), 'main', `${context}: HEAD left detached; every commit:\n${git('log', '--all', '--format=%h %p%d %s')}`);
      const commits = git('log', '--reverse', '--format=%H%x1f%s%x1f%b%x1e')
        .split('\x1e')
        .map((c) => c.trim().split('\x1f'))
        .filter(([, subject]) => subject?.startsWith('Phase '));
      assert.deepEqual(
        commits.map(([, subject]) => subject),
        PHASES.map((p) => `Phase ${p.id}: Make ${p.id}`),
        `${context}: one commit per phase, in order; every commit:\n${git('log', '--all', '--format=%h %p%d %s')}`,
      );
      for (const [sha, , body] of commits) {
        const phase = /^Baton-Phase: (\S+)$/m.exec(body ?? '')?.[1];
        assert.match(body ?? '', new RegExp(`^Baton-Plan-Run: ${id}$`, 'm'), `${context}: trailers of ${sha}`);
        assert.deepEqual(git('diff-tree', '--no-commit-id', '--name-only', '-r', sha!).trim().split('\n'), [`phase${phase}.txt`], `${context}: commit of ${phase} holds its file only`);
      }
      assert.equal(git('for-each-ref', '--format=%(refname)', 'refs/heads/baton/'), '', `${context}: no baton/* branch left`);
      const worktrees = git('worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree '));
      assert.deepEqual(worktrees, [`worktree ${execFileSync('realpath', [repo], { encoding: 'utf8' }).trim()}`], `${context}: only the main worktree`);
      const gitDir = join(repo, '.git');
      assert.equal(existsSync(join(gitDir, 'index.lock')), false, `${context}: no index.lock`);
      assert.deepEqual(existsSync(join(gitDir, 'worktrees')) ? readdirSync(join(gitDir, 'worktrees')) : [], [], `${context}: no worktree admin folder left`);
      const planWorktrees = join(home, 'worktrees', id);
      assert.deepEqual(existsSync(planWorktrees) ? readdirSync(planWorktrees) : [], [], `${context}: nothing left under ${planWorktrees}`);
      assert.equal(readFileSync(join(repo, 'README.md'), 'utf8'), '# scratch repo\nuser edit in progress\n');
      assert.match(git('status', '--porcelain'), / M README\.md/);
    });
  }
});
