import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { startCluster, writeAgent } from './harness.js';
import { assertOneCommitPerPhase, assertRanOnWorkers, runPlan, writePlan } from './plan-helpers.js';

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
