import assert from 'node:assert/strict';
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { startCluster, writeAgent } from './harness.js';
import { assertOneCommitPerPhase, assertRanOnWorkers, runPlan, writeDrafter, writePlan, type Trace } from './plan-helpers.js';
import { waitFor } from '../wait-for.js';

test('a 4-phase parallel plan over 3 one-slot workers: phases run on workers, one commit per phase on the lead, the user\'s edits survive', async (t) => {
  const cluster = await startCluster(t);
  const agent = await writeAgent(cluster.scratch, 1_500);
  const workers = await Promise.all(['w1', 'w2', 'w3'].map((name) => cluster.startWorker(name)));
  // The user's own uncommitted work in the lead's checkout.
  writeFileSync(join(cluster.repo, 'README.md'), '# scratch repo\nmy local edit\n');
  writeFileSync(join(cluster.repo, 'notes.txt'), 'my notes\n');
  const file = writePlan(cluster, agent.command, [{ id: 'A' }, { id: 'B', needs: ['A'] }, { id: 'C' }, { id: 'D', needs: ['C'] }], 2);
  const { id, status } = await runPlan(cluster, file);

  await assertOneCommitPerPhase(cluster, id, ['A', 'B', 'C', 'D']);
  const traces = await assertRanOnWorkers(cluster, agent.trace, workers, ['A', 'B', 'C', 'D']);
  const workerOf = new Map(workers.map((w) => [w.home, w.name]));
  for (const phase of status.phases) {
    assert.equal(phase.state, 'committed');
    // plan status names the worker that ran the phase's run: the one whose home the agent ran under.
    const ran = traces.find((tr) => tr.file === `${phase.id.toLowerCase()}.txt`)!;
    assert.equal(phase.worker?.name, workerOf.get(ran.home), `phase ${phase.id}: ${JSON.stringify(phase)}`);
    assert.ok(phase.worker.host);
    assert.equal(phase.runs[0].worker.name, phase.worker.name);
  }
  const text = await cluster.cli(['plan', 'status', id]);
  for (const phase of status.phases) assert.match(text.stdout, new RegExp(`on ${phase.worker.name}@`), text.stdout);

  assert.equal(readFileSync(join(cluster.repo, 'README.md'), 'utf8'), '# scratch repo\nmy local edit\n');
  assert.equal(readFileSync(join(cluster.repo, 'notes.txt'), 'utf8'), 'my notes\n');
  for (const name of ['a', 'b', 'c', 'd']) assert.match(readFileSync(join(cluster.repo, `${name}.txt`), 'utf8'), /^written by /);
  assert.equal((await cluster.git(cluster.repo, 'branch', '--list', 'baton/*')).trim(), '', 'no phase branch left');
  assert.equal((await cluster.git(cluster.repo, 'for-each-ref', 'refs/baton/')).trim(), '', 'no fetched result ref left in the user\'s repository');
});

test('a 2-phase serial plan over the cluster: each phase on a worker, the second sees the first\'s work, one commit each', async (t) => {
  const cluster = await startCluster(t);
  const agent = await writeAgent(cluster.scratch, 500);
  const workers = await Promise.all(['w1', 'w2'].map((name) => cluster.startWorker(name)));
  const file = writePlan(cluster, agent.command, [{ id: 'A' }, { id: 'B' }], 1);
  // B's verification needs A's file: in its worktree, which starts from the branch with A merged.
  writeFileSync(file, readFileSync(file, 'utf8').replace('verify: ["test -f b.txt"]', 'verify: ["test -f a.txt && test -f b.txt"]'));
  const { id } = await runPlan(cluster, file);
  await assertOneCommitPerPhase(cluster, id, ['A', 'B']);
  await assertRanOnWorkers(cluster, agent.trace, workers, ['A', 'B']);
});

test('plan run --local with a cluster configured runs here, in the checkout, as without one; plan resume keeps it', async (t) => {
  const cluster = await startCluster(t);
  // No worker at all: a phase dispatched to the cluster would wait forever.
  const agent = await writeAgent(cluster.scratch, 3_000);
  const file = writePlan(cluster, agent.command, [{ id: 'A' }, { id: 'B' }], 1);
  const started = await cluster.cli(['plan', 'run', file, '--local', '--no-lint', '--json']);
  assert.equal(started.code, 0, started.stderr);
  const id = started.json.id as string;
  await waitFor(async () => (await cluster.cli(['plan', 'status', id, '--json'])).json.phases[0].runs.length > 0, { what: 'phase A to launch', timeoutMs: 30_000 });
  const stopped = await cluster.cli(['plan', 'stop', id, '--json']);
  assert.equal(stopped.json.state, 'stopped', stopped.stdout);
  const resumed = await cluster.cli(['plan', 'resume', id, '--json']);
  assert.equal(resumed.code, 0, resumed.stderr);
  const waited = await cluster.cli(['plan', 'wait', id, '--timeout', '50s', '--json'], { timeoutMs: 60_000 });
  assert.equal(waited.json.state, 'completed', JSON.stringify(waited.json, null, 1));
  await assertOneCommitPerPhase(cluster, id, ['A', 'B']);
  const traces = (await readFile(agent.trace, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as Trace);
  for (const trace of traces) {
    assert.equal(trace.home, cluster.env.BATON_HOME, `${trace.file} ran under the lead's home`);
    assert.equal(realpathSync(trace.cwd), realpathSync(cluster.repo), `${trace.file} ran in the user's checkout, as a serial plan does`);
  }
  for (const phase of waited.json.phases) assert.equal(phase.worker, null);
});

test('a phase whose verification fails is fixed by resuming its session on the same worker, from the lead\'s state; one commit per phase', async (t) => {
  const cluster = await startCluster(t);
  const agent = await writeDrafter(cluster.scratch);
  const workers = await Promise.all(['w1', 'w2'].map((name) => cluster.startWorker(name)));
  const file = join(cluster.scratch, 'plan.yaml');
  const options = Object.entries(agent.runnerOptions).map(([key, value]) => `${key}: ${JSON.stringify(value)}`).join(', ');
  writeFileSync(
    file,
    `project: scratch
dir: ${cluster.repo}
defaults: { runner: cmd, runnerOptions: { ${options} } }
phases:
  - { id: A, title: "Step A", prompt: "a.txt", files: [a.txt], verify: ["grep -q fixed a.txt"] }
  - { id: B, title: "Step B", prompt: "b.txt", files: [b.txt], verify: ["grep -q fixed b.txt"] }
`,
  );
  const { id, status } = await runPlan(cluster, file);
  await assertOneCommitPerPhase(cluster, id, ['A', 'B']);
  const traces = (await readFile(agent.trace, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { home: string; session: string; resumed: string | null; files: string[] });
  const homes = new Set(workers.map((w) => w.home));
  for (const name of ['a.txt', 'b.txt']) {
    const first = traces.find((tr) => !tr.resumed && tr.files.includes(name))!;
    const fix = traces.find((tr) => tr.resumed === first.session)!;
    assert.ok(homes.has(first.home), `${name} drafted on a worker`);
    assert.ok(fix, `${name}'s fix resumed the session ${first.session}: ${JSON.stringify(traces)}`);
    assert.equal(fix.home, first.home, 'the fix ran on the worker that holds the session');
    assert.deepEqual(fix.files, [name], 'the fix found only its phase\'s draft: the lead\'s state of the worktree');
    assert.equal(await cluster.git(cluster.repo, 'show', `main:${name}`), `fixed in ${first.session}\n`);
  }
  for (const phase of status.phases) assert.deepEqual(phase.runs.map((r: { kind: string }) => r.kind), ['launch', 'fix']);
});
