/**
 * Fault injection: many scripted runs at once while Baton's own processes (the `baton run` CLI during
 * launch, supervisors, some together with their agent) are SIGKILLed at seeded random moments.
 * A plan's driver is SIGKILLed too, then the plan resumed. BATON_FAULT_SEED replays a seed; BATON_FAULT_RUNS sets how many runs (default 20).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isActive } from '../../src/store/runs.js';
import { rm } from 'node:fs/promises';
import { Baton } from '../../src/baton.js';
import { BATON_BIN, runCli } from '../e2e/harness.js';
import { makeGitRepo } from '../mock-model/agent-harness.js';
import { startRawMcp } from '../mcp/harness.js';
import { markedProcesses, startCmdAgentSession, until } from '../processes/cmd-agent.js';
import { seededRandom } from '../seeded-random.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('SIGKILL of Baton processes under concurrent runs: no run lost or mis-stated, no orphan, nothing written to the repo', { timeout: 120_000 }, async (t) => {
  const seed = Number(process.env.BATON_FAULT_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const count = Number(process.env.BATON_FAULT_RUNS ?? 20);
  const next = seededRandom(seed);
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
    killCliAfterMs: Math.floor(next() * 800),
    fault: next() < 0.25 ? 'supervisor' : next() < 0.15 ? 'supervisor+agent' : 'none',
    faultAfterMs: Math.floor(next() * 1500),
  }));
  // Its own generator: the plan's draws happen while runs launch, in no fixed order with theirs.
  const plan = startPlanUnderFault(session.env, scratch, seededRandom(seed ^ 0x9e3779b9), seed);
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
        await sleep(p.killCliAfterMs);
        cliKilled = cli.kill('SIGKILL');
      }
      await exited;
      return { ...p, cliKilled };
    }),
  );
  const kills = { cli: launched.filter((p) => p.cliKilled).length, supervisor: 0, agent: 0 };
  // One supervisor host watches every run of a home: killing "a run's supervisor" kills every run's.
  const killedSupervisors = new Set<number>();
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
          killedSupervisors.add(run.supervisorPid);
          kills.supervisor++;
        } catch {
          return;
        }
        if (p.fault === 'supervisor+agent') {
          for (const pid of markedProcesses(run.id)) process.kill(pid, 'SIGKILL');
          kills.agent++;
        }
      }),
  );
  t.diagnostic(`seed ${seed}: SIGKILLed ${kills.cli} baton run CLI(s), ${kills.supervisor} supervisor(s), ${kills.agent} of them with their agent`);
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
    // A supervisor killed after claiming the run but before starting its agent leaves a run that never ran.
    const supervisorKilled = run.supervisorPid !== null && killedSupervisors.has(run.supervisorPid);
    const expected = [...(agentKilled ? ['completed', 'incomplete'] : ['completed']), ...(p.cliKilled || supervisorKilled ? ['failed'] : [])];
    assert.ok(expected.includes(status.state), `seed ${seed}: run ${p.i} (${JSON.stringify(p)}) ended ${status.state}: ${status.reasons.join('; ')}`);
    if (status.state === 'failed') assert.match(status.reasons.join(' '), /launch was interrupted before the agent started/, `seed ${seed}: run ${p.i}`);
    if (status.state === 'incomplete') assert.match(status.reasons.join(' '), /supervisor died .*outcome is unknown/, `seed ${seed}: run ${p.i}`);
    if (status.state === 'completed') assert.match(session.baton.tail(run.id).lines.join('\n'), new RegExp(`finished ${p.i}`), `seed ${seed}: run ${p.i} completed without finishing`);
  }
  await until(() => ids.every((id) => markedProcesses(id).length === 0), `seed ${seed}: no process with a run marker left`, 15_000);
  assert.equal(execFileSync('git', ['status', '--porcelain', '--ignored'], { cwd: session.repo, encoding: 'utf8' }), '', `seed ${seed}: the repo is untouched`);
  await (await plan)();
});

const PHASES = ['1', '2', '3'];

/**
 * A three-phase plan in a repo of its own, its driver SIGKILLed at a seeded moment, then resumed.
 * Resolves to the check: completed, one commit per phase and nothing else in the repo.
 */
async function startPlanUnderFault(baseEnv: NodeJS.ProcessEnv, scratch: string, next: () => number, seed: number): Promise<() => Promise<void>> {
  const repo = await makeGitRepo();
  const env = { ...baseEnv };
  const agent = join(scratch, 'plan-agent.sh');
  writeFileSync(agent, `prompt=$(cat)\nfile=$(printf '%s' "$prompt" | sed -n 's/.*Create \\(phase[0-9]*\\.txt\\).*/\\1/p' | head -n 1)\nsleep 0.5\nprintf 'made\\n' > "$file"\necho DONE\n`);
  const phases = PHASES.map((id) => `  - { id: "${id}", title: "Make ${id}", prompt: "Create phase${id}.txt", files: [phase${id}.txt], verify: ["test -f phase${id}.txt"] }`).join('\n');
  const file = join(scratch, 'plan.yaml');
  writeFileSync(file, `project: faults\ndir: ${repo}\ndefaults:\n  runner: cmd\n  runnerOptions: { command: "sh ${agent}", input: stdin, completion: "^DONE$" }\nphases:\n${phases}\n`);
  const started = await runCli(['plan', 'run', file, '--no-lint', '--json'], env);
  assert.equal(started.code, 0, started.stderr);
  const id = started.json.id as string;
  await sleep(300 + next() * 2_500);
  const baton = new Baton({ home: env.BATON_HOME!, env });
  const driverPid = baton.store.plans.getPlanRun(id)?.driverPid;
  baton.close();
  let killed = false;
  if (driverPid) {
    try {
      process.kill(driverPid, 'SIGKILL');
      killed = true;
    } catch {
      // It finished already.
    }
  }
  process.stderr.write(`seed ${seed}: plan driver ${killed ? 'SIGKILLed' : 'had ended'}\n`);
  return async () => {
    let final: any;
    for (let attempt = 0; attempt < 3; attempt++) {
      const waited = await runCli(['plan', 'wait', id, '--timeout', '40s', '--json'], env, 60_000);
      final = waited.json;
      if (final?.state === 'completed') break;
      await runCli(['plan', 'resume', id], env);
    }
    assert.equal(final?.state, 'completed', `seed ${seed}, driver killed: ${killed}: ${JSON.stringify(final, null, 1)}`);
    for (const phase of final.phases) assert.equal(phase.resumes, 0, `seed ${seed}: phase ${phase.id} spent a resume`);
    const subjects = execFileSync('git', ['log', '--format=%s'], { cwd: repo, encoding: 'utf8' }).trim().split('\n').filter((s) => s.startsWith('Phase '));
    assert.deepEqual(subjects.reverse(), PHASES.map((p) => `Phase ${p}: Make ${p}`), `seed ${seed}: one commit per phase`);
    assert.equal(execFileSync('git', ['status', '--porcelain', '--ignored'], { cwd: repo, encoding: 'utf8' }), '', `seed ${seed}: nothing in the plan's repo but phase commits`);
    await rm(repo, { recursive: true, force: true });
  };
}

/**
 * The other Baton processes a user runs: `baton mcp` SIGKILLed while its `run` tool launches, and
 * `baton ui` SIGKILLed while its kill action signals a run. Either the action happened or it did not;
 * no run is lost, left "running", or said to be killed when it finished.
 */
test('SIGKILL of the MCP server mid-launch and of the dashboard mid-kill: every run ends as what happened to it', { timeout: 240_000 }, async (t) => {
  const seed = Number(process.env.BATON_FAULT_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const next = seededRandom(seed);
  t.diagnostic(`seed ${seed} (replay with BATON_FAULT_SEED=${seed})`);
  const session = await startCmdAgentSession(t);
  const scratch = join(session.home, '..');
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(session.env)) if (v !== undefined) env[k] = v;
  const agent = (i: number, seconds: number) => {
    const script = join(scratch, `mcp-agent-${i}.sh`);
    writeFileSync(script, `echo started ${i}\nsleep ${seconds}\necho finished ${i}\necho DONE\n`);
    return script;
  };

  // MCP: each server gets one run call and is SIGKILLed at a seeded moment, answered or not.
  const mcpRuns = await Promise.all(
    Array.from({ length: 6 }, async (_, i) => {
      const mcp = startRawMcp(t, env, session.repo);
      await mcp.initialize();
      mcp.send({ id: 1, method: 'tools/call', params: { name: 'run', arguments: { prompt: 'go', dir: session.repo, runner: 'cmd', name: `mcp ${i}`, runnerOptions: { command: `sh ${agent(i, 1)} {prompt}`, completion: '^DONE$' } } } });
      await sleep(Math.floor(next() * 600));
      const answer = mcp.messages().find((m) => m.id === 1);
      mcp.child.kill('SIGKILL');
      await mcp.exited;
      return { i, answered: answer !== undefined, answer: JSON.stringify(answer) };
    }),
  );
  for (const { i, answered, answer } of mcpRuns) {
    const id = session.baton.store.runs.idsByName(`mcp ${i}`)[0];
    if (answered) assert.ok(id, `seed ${seed}: MCP run ${i} was answered but is not in the store: ${answer}`);
    if (!id) continue;
    // A launcher killed before any supervisor claimed its run leaves it to be given up after twice the
    // launch timeout (30 s): then it is failed, and nothing ever ran.
    const { timedOut, runs: [run] } = await session.baton.wait([id], { timeoutMs: 90_000 });
    assert.equal(timedOut, false, `seed ${seed}: MCP run ${i} was left active`);
    assert.ok(run, `seed ${seed}: MCP run ${i}`);
    if (run.state === 'failed') assert.match(run.reasons.join(' '), /launch was interrupted before the agent started/, `seed ${seed}: MCP run ${i}`);
    else assert.equal(run.state, 'completed', `seed ${seed}: MCP run ${i} ended ${run.state}: ${run.reasons.join('; ')}`);
  }

  // Dashboard: a kill posted for each of four runs, the dashboard SIGKILLed a seeded moment later.
  const ids = await Promise.all([0, 1, 2, 3].map((i) => session.launch(`echo started ${i}\nsleep 3\necho finished ${i}\necho DONE\n`, { name: `ui ${i}` })));
  await until(() => ids.every((id) => (session.baton.store.runs.get(id)?.pid ?? null) !== null), `seed ${seed}: the agents start`, 30_000);
  const ui = spawn(process.execPath, [BATON_BIN, 'ui', '--json'], { env: session.env, stdio: ['ignore', 'pipe', 'ignore'] });
  t.after(() => ui.kill('SIGKILL'));
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    ui.stdout.setEncoding('utf8').on('data', (text: string) => {
      out += text;
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    ui.once('exit', (code) => reject(new Error(`baton ui exited ${code}`)));
  });
  const { url, openUrl } = JSON.parse(line) as { url: string; openUrl: string };
  const token = new URL(openUrl).searchParams.get('token')!;
  const posts = ids.map((id) => fetch(`${url}/api/runs/${id}/kill`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' }).catch(() => null));
  await sleep(Math.floor(next() * 400));
  ui.kill('SIGKILL');
  await Promise.all(posts);
  const { timedOut, runs } = await session.baton.wait(ids, { timeoutMs: 60_000 });
  assert.equal(timedOut, false, `seed ${seed}: a run was left active`);
  for (const run of runs) {
    const finished = session.baton.tail(run.id).lines.some((l) => l.startsWith('finished'));
    if (run.state === 'killed') assert.equal(finished, false, `seed ${seed}: ${run.id} is said killed but it finished`);
    else assert.equal(run.state, 'completed', `seed ${seed}: ${run.id} ended ${run.state}: ${run.reasons.join('; ')}`);
  }
  await until(() => [...ids].every((id) => markedProcesses(id).length === 0), `seed ${seed}: no process with a run marker left`, 15_000);
});
