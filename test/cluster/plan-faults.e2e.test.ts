import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { startCluster, TEST_LOST_AFTER_MS, writeAgent, type TestCluster } from './harness.js';
import { assertOneCommitPerPhase, runnerOptionsYaml, waitPlanCompleted, writeDrafter, writePlan, type Trace } from './plan-helpers.js';
import { waitFor } from '../wait-for.js';
import { isProcessAlive } from '../../src/processes/index.js';

interface PhaseRun {
  id: string;
  kind: string;
  state?: string;
  note?: string;
  worker?: { name: string; host: string | null };
}

const planStatus = async (cluster: TestCluster, id: string) => (await cluster.cli(['plan', 'status', id, '--json'])).json as { state: string; phases: { id: string; state: string; runs: PhaseRun[] }[] };

/** Starts the plan and waits until the phase's agent runs on a worker: its run, that worker and the agent's pid. */
async function startPlanUntilRunning(cluster: TestCluster, file: string, phaseId: string): Promise<{ id: string; runId: string; worker: string; pid: number }> {
  const started = await cluster.cli(['plan', 'run', file, '--no-lint', '--json']);
  assert.equal(started.code, 0, started.stderr);
  const id = started.json.id as string;
  const running = await waitFor(async () => {
    const phase = (await planStatus(cluster, id)).phases.find((p) => p.id === phaseId);
    const runId = phase?.runs.at(-1)?.id;
    if (!runId) return undefined;
    const run = (await cluster.cli(['status', '--json', runId])).json;
    return run.state === 'running' && run.pid !== null && run.worker?.name ? { runId, worker: run.worker.name as string, pid: run.pid as number } : undefined;
  }, { what: `phase ${phaseId}'s agent to start on a worker`, timeoutMs: 40_000, intervalMs: 200 });
  return { id, ...running };
}

const traces = async (path: string) => (await readFile(path, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as Trace & { prompt: string });

test('a worker SIGKILLed mid-phase: its run is lost within the bound, the phase re-dispatched to another worker, one commit per phase, the orphan lands nothing', async (t) => {
  const cluster = await startCluster(t);
  const agent = await writeAgent(cluster.scratch, 4_000);
  const workers = await Promise.all(['w1', 'w2', 'w3'].map((name) => cluster.startWorker(name)));
  const file = writePlan(cluster, agent.command, [{ id: 'A' }, { id: 'B' }, { id: 'C' }], 1);
  const { id, runId: lostRun, worker: doomedName, pid: orphanPid } = await startPlanUntilRunning(cluster, file, 'B');
  const doomed = workers.find((w) => w.name === doomedName)!;
  doomed.child.kill('SIGKILL');
  const killedAt = Date.now();

  const lost = await waitFor(async () => {
    const run = (await cluster.cli(['status', '--json', lostRun])).json;
    return run.state === 'failed' ? run : undefined;
  }, { what: 'the run on the killed worker to be reported lost', timeoutMs: TEST_LOST_AFTER_MS + 20_000, intervalMs: 200 });
  const noticedMs = Date.now() - killedAt;
  assert.match(lost.reasons[0], new RegExp(`^worker ${doomedName} on \\S+ stopped heartbeating`));
  assert.ok(noticedMs < TEST_LOST_AFTER_MS + 10_000, `lost within the bound (took ${noticedMs} ms)`);
  t.diagnostic(`lost run noticed ${noticedMs} ms after SIGKILL (bound ${TEST_LOST_AFTER_MS} ms)`);

  const status = await waitPlanCompleted(cluster, id);
  await assertOneCommitPerPhase(cluster, id, ['A', 'B', 'C']);
  const b = status.phases.find((p: { id: string }) => p.id === 'B') as { runs: PhaseRun[] };
  assert.deepEqual(b.runs.map((run) => [run.kind, run.state]), [['launch', 'failed'], ['redispatch', 'completed']], JSON.stringify(b.runs));
  const [first, again] = b.runs as [PhaseRun, PhaseRun];
  assert.equal(first.id, lostRun);
  assert.match(again.note!, new RegExp(`^worker ${doomedName} on \\S+ was lost during run ${lostRun} \\(last seen \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\); restarted cold on another worker$`));
  assert.notEqual(again.worker?.name, doomedName, 'the re-dispatch ran on another worker');
  const text = await cluster.cli(['plan', 'status', id]);
  assert.ok(text.stdout.includes(`redispatch ${again.id}: ${again.note}`), text.stdout);

  // The re-dispatched agent got the phase's own prompt, told that an earlier attempt was lost.
  const ranB = (await traces(agent.trace)).filter((trace) => trace.file === 'b.txt' && trace.home !== doomed.home);
  assert.equal(ranB.length, 1, 'phase B ran once on the surviving workers');
  assert.match(ranB[0]!.prompt, /^b\.txt\n\nNote: an earlier attempt at this task was lost/);

  // The orphan ends on its own (or was ended); with its worker back, nothing of it lands anywhere.
  await waitFor(() => !isProcessAlive(orphanPid), { what: 'the orphaned agent to end', timeoutMs: 20_000 });
  const back = await cluster.startWorker(doomedName);
  assert.ok(back.log().includes(`worker ${doomedName} on `));
  assert.equal((await cluster.git(cluster.remote, 'for-each-ref', `refs/baton/runs/${lostRun}/result`)).trim(), '', 'the lost run never pushed a result');
  await assertOneCommitPerPhase(cluster, id, ['A', 'B', 'C']);
  assert.equal((await planStatus(cluster, id)).state, 'completed');
});

test('Redis restarted mid-plan (persistence on): nothing lost, each phase\'s agent ran once, one commit per phase', async (t) => {
  const cluster = await startCluster(t, { redis: { persistent: true } });
  const agent = await writeAgent(cluster.scratch, 3_000);
  const workers = await Promise.all(['w1', 'w2', 'w3'].map((name) => cluster.startWorker(name)));
  const file = writePlan(cluster, agent.command, [{ id: 'A' }, { id: 'B' }, { id: 'C' }, { id: 'D', needs: ['C'] }], 2);
  const { id } = await startPlanUntilRunning(cluster, file, 'B');
  await cluster.redis.restart({ downMs: 1_500 });

  const status = await waitPlanCompleted(cluster, id);
  await assertOneCommitPerPhase(cluster, id, ['A', 'B', 'C', 'D']);
  for (const phase of status.phases as { id: string; runs: PhaseRun[] }[]) {
    assert.deepEqual(phase.runs.map((run) => [run.kind, run.state]), [['launch', 'completed']], `phase ${phase.id} took one run: ${JSON.stringify(phase.runs)}`);
  }
  const ran = await traces(agent.trace);
  assert.deepEqual(ran.map((trace) => trace.file).sort(), ['a.txt', 'b.txt', 'c.txt', 'd.txt'], 'each phase\'s agent ran exactly once');
  const homes = new Set(workers.map((w) => w.home));
  assert.ok(ran.every((trace) => homes.has(trace.home)), 'every agent ran on a worker');
});

test('a fix that cannot go back to its gone worker re-dispatches the phase cold, with the fix, on another worker; one commit', async (t) => {
  const cluster = await startCluster(t);
  const agent = await writeDrafter(cluster.scratch);
  const workers = await Promise.all(['w1', 'w2'].map((name) => cluster.startWorker(name)));
  // The lead's verification holds until the test has seen the worker lost: the fix then finds it gone.
  const gate = join(cluster.scratch, 'worker-gone');
  const file = join(cluster.scratch, 'plan.yaml');
  writeFileSync(
    file,
    `project: scratch
dir: ${cluster.repo}
defaults: { runner: cmd, runnerOptions: ${runnerOptionsYaml(agent.runnerOptions)} }
phases:
  - { id: A, title: "Step A", prompt: "a.txt", files: [a.txt], verify: [${JSON.stringify(`for i in $(seq 600); do [ -f ${gate} ] && break; sleep 0.1; done; grep -q fixed a.txt`)}] }
`,
  );
  const started = await cluster.cli(['plan', 'run', file, '--no-lint', '--json']);
  assert.equal(started.code, 0, started.stderr);
  const id = started.json.id as string;
  const drafted = await waitFor(async () => {
    const runId = (await planStatus(cluster, id)).phases[0]!.runs[0]?.id;
    const run = runId ? (await cluster.cli(['status', '--json', runId])).json : undefined;
    return run?.state === 'completed' ? run : undefined;
  }, { what: 'the first run of phase A to complete', timeoutMs: 40_000, intervalMs: 200 });
  const doomed = workers.find((w) => w.name === drafted.worker.name)!;
  doomed.child.kill('SIGKILL');
  await waitFor(async () => ((await cluster.cli(['workers', '--json'])).json as { name: string; health: string }[]).some((w) => w.name === doomed.name && w.health === 'lost'), {
    what: `worker ${doomed.name} to be lost`,
    timeoutMs: TEST_LOST_AFTER_MS + 20_000,
    intervalMs: 200,
  });
  writeFileSync(gate, '');

  const status = await waitPlanCompleted(cluster, id);
  await assertOneCommitPerPhase(cluster, id, ['A']);
  const runs = status.phases[0].runs as PhaseRun[];
  assert.deepEqual(runs.map((run) => [run.kind, run.state]), [['launch', 'completed'], ['redispatch', 'completed'], ['fix', 'completed']], JSON.stringify(runs));
  assert.match(runs[1]!.note!, new RegExp(`^worker ${doomed.name} on \\S+ was lost during run ${drafted.id} \\(last seen [^)]+\\); restarted cold on another worker$`));
  assert.notEqual(runs[1]!.worker?.name, doomed.name);
  const ran = (await readFile(agent.trace, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { home: string; resumed: string | null });
  assert.deepEqual(ran.map((r) => [r.home === doomed.home ? 'lost worker' : 'other', r.resumed === null ? 'fresh' : 'resumed']), [['lost worker', 'fresh'], ['other', 'fresh'], ['other', 'resumed']]);
});
