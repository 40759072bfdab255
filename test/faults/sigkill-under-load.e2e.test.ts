/**
 * Fault injection: many scripted runs at once while Baton's own processes (the `baton run` CLI during
 * launch, supervisors, some together with their agent) are SIGKILLed at seeded random moments.
 * BATON_FAULT_SEED replays a seed; BATON_FAULT_RUNS sets how many runs (default 20).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isActive } from '../../src/store/runs.js';
import { BATON_BIN } from '../e2e/harness.js';
import { markedProcesses, startCmdAgentSession, until } from '../processes/cmd-agent.js';

/** Deterministic pseudo-random numbers from a seed (mulberry32), so a failing seed can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('SIGKILL of Baton processes under concurrent runs: no run lost or mis-stated, no orphan, nothing written to the repo', { timeout: 120_000 }, async (t) => {
  const seed = Number(process.env.BATON_FAULT_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const count = Number(process.env.BATON_FAULT_RUNS ?? 20);
  const next = random(seed);
  t.diagnostic(`seed ${seed} (replay with BATON_FAULT_SEED=${seed})`);
  process.stderr.write(`fault injection seed ${seed}\n`);
  const session = await startCmdAgentSession(t);
  const scratch = join(session.home, '..');
  // Agents write nothing into the repo: anything found there afterwards is Baton's doing.
  const plans = Array.from({ length: count }, (_, i) => ({
    i,
    seconds: (1 + next() * 3).toFixed(1),
    launchByCli: next() < 0.3,
    killCli: next() < 0.5,
    fault: next() < 0.25 ? 'supervisor' : next() < 0.15 ? 'supervisor+agent' : 'none',
    faultAfterMs: Math.floor(next() * 1500),
  }));
  const cliPids: number[] = [];
  const launched = await Promise.all(
    plans.map(async (p) => {
      const script = join(scratch, `agent-${p.i}.sh`);
      writeFileSync(script, `echo started ${p.i}\nsleep ${p.seconds}\necho finished ${p.i}\necho DONE\n`);
      const options = ['--runner', 'cmd', '--runner-option', `command=sh ${script} {prompt}`, '--runner-option', 'completion=^DONE$', '--name', `fault ${p.i}`, '--dir', session.repo];
      if (!p.launchByCli) {
        await session.baton.run({ runner: 'cmd', dir: session.repo, prompt: 'go', name: `fault ${p.i}`, runnerOptions: { command: `sh ${script} {prompt}`, completion: '^DONE$' } });
        return { ...p, cliKilled: false };
      }
      const cli = spawn(process.execPath, [BATON_BIN, 'run', ...options, 'go'], { env: session.env, stdio: 'ignore' });
      cliPids.push(cli.pid!);
      const exited = new Promise((r) => cli.once('exit', r));
      let cliKilled = false;
      if (p.killCli) {
        await sleep(Math.floor(next() * 800));
        cliKilled = cli.kill('SIGKILL');
      }
      await exited;
      return { ...p, cliKilled };
    }),
  );
  const runOf = (i: number) => session.baton.store.runs.get(session.baton.store.runs.idsByName(`fault ${i}`)[0] ?? '');
  // Faults on the supervisors (and some agents) of runs that got one.
  await Promise.all(
    launched
      .filter((p) => p.fault !== 'none')
      .map(async (p) => {
        await sleep(p.faultAfterMs);
        const run = runOf(p.i);
        if (!run?.supervisorPid || !isActive(run.state)) return;
        try {
          process.kill(run.supervisorPid, 'SIGKILL');
        } catch {
          return;
        }
        if (p.fault === 'supervisor+agent') for (const pid of markedProcesses(run.id)) process.kill(pid, 'SIGKILL');
      }),
  );
  const ids = launched.map((p) => runOf(p.i)?.id).filter((id): id is string => id !== undefined);
  // Launched without a CLI, or by a CLI left alone: the run must exist.
  for (const p of launched) if (!p.launchByCli || !p.cliKilled) assert.ok(runOf(p.i), `seed ${seed}: run ${p.i} was lost`);
  const { timedOut } = await session.baton.wait(ids, { timeoutMs: 90_000 });
  assert.equal(timedOut, false, `seed ${seed}: runs still active`);
  for (const p of launched) {
    const run = runOf(p.i);
    if (!run) continue;
    const agentKilled = p.fault === 'supervisor+agent';
    const status = session.baton.status([run.id])[0]!;
    const expected = [...(agentKilled ? ['completed', 'incomplete'] : ['completed']), ...(p.cliKilled ? ['failed'] : [])];
    assert.ok(expected.includes(status.state), `seed ${seed}: run ${p.i} (${JSON.stringify(p)}) ended ${status.state}: ${status.reasons.join('; ')}`);
    if (status.state === 'failed') assert.match(status.reasons.join(' '), /launch was interrupted before the agent started/, `seed ${seed}: run ${p.i}`);
    if (status.state === 'incomplete') assert.match(status.reasons.join(' '), /supervisor died .*outcome is unknown/, `seed ${seed}: run ${p.i}`);
    if (status.state === 'completed') assert.match(session.baton.tail(run.id).lines.join('\n'), new RegExp(`finished ${p.i}`), `seed ${seed}: run ${p.i} completed without finishing`);
  }
  await until(() => ids.every((id) => markedProcesses(id).length === 0), `seed ${seed}: no process with a run marker left`, 15_000);
  assert.equal(execFileSync('git', ['status', '--porcelain', '--ignored'], { cwd: session.repo, encoding: 'utf8' }), '', `seed ${seed}: the repo is untouched`);
});
