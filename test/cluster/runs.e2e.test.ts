import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { startCluster, TEST_LOST_AFTER_MS, writeAgent } from './harness.js';
import { waitFor } from '../wait-for.js';
import { isProcessAlive } from '../../src/processes/index.js';

interface Trace {
  home: string;
  file: string;
  start: number;
  end: number;
}

test('9 runs over 3 workers of 1 slot: each worker runs some, one at a time, all complete, results on the remote', async (t) => {
  const cluster = await startCluster(t);
  const agent = await writeAgent(cluster.scratch, 1_000);
  const workers = await Promise.all(['w1', 'w2', 'w3'].map((name) => cluster.startWorker(name)));
  const launches = await Promise.all(
    Array.from({ length: 9 }, (_, i) => cluster.cli(['run', '--json', '--runner', 'cmd', '--runner-option', `command=${agent.command}`, '--dir', cluster.repo, `out-${i}.txt`])),
  );
  const ids = launches.map((launched) => {
    assert.equal(launched.code, 0, launched.stderr);
    // Dispatched, not started here: the record waits for a worker.
    assert.equal(launched.json.pid, null);
    return launched.json.id as string;
  });
  const waited = await cluster.cli(['wait', '--json', '--timeout', '50s', ...ids], { timeoutMs: 60_000 });
  assert.equal(waited.json.timedOut, false, waited.stdout);
  assert.deepEqual(waited.json.runs.map((r: { state: string }) => r.state), ids.map(() => 'completed'));

  const traces = (await readFile(agent.trace, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as Trace);
  assert.equal(traces.length, 9, 'every run executed exactly once');
  const homeOf = new Map(workers.map((w) => [w.home, w.name]));
  for (const worker of workers) {
    const own = traces.filter((trace) => trace.home === worker.home).sort((a, b) => a.start - b.start);
    assert.ok(own.length > 0, `${worker.name} ran some of the runs`);
    for (let i = 1; i < own.length; i++) assert.ok(own[i]!.start >= own[i - 1]!.end, `${worker.name} never ran two at once (1 slot)`);
  }

  const statuses = (await cluster.cli(['status', '--json', ...ids])).json as { id: string; worker: { name: string; host: string } }[];
  for (const [i, status] of statuses.entries()) {
    const trace = traces.find((tr) => tr.file === `out-${i}.txt`)!;
    assert.equal(status.worker.name, homeOf.get(trace.home), `status names the worker that ran ${status.id}`);
    assert.ok(status.worker.host);
    const file = await cluster.git(cluster.remote, 'show', `refs/baton/runs/${status.id}/result:out-${i}.txt`);
    assert.match(file, /^written by /);
  }
  const listed = (await cluster.cli(['workers', '--json'])).json as { name: string; health: string; slots: number; slotsFree: number; runners: { name: string }[] }[];
  assert.deepEqual(listed.map((w) => [w.name, w.health, w.slots, w.slotsFree, w.runners.map((r) => r.name).join()]), [
    ['w1', 'alive', 1, 1, 'cmd'],
    ['w2', 'alive', 1, 1, 'cmd'],
    ['w3', 'alive', 1, 1, 'cmd'],
  ]);
});

test('a SIGKILLed worker is lost within the bound: its run fails naming it, the others complete; back again, it kills the orphan', async (t) => {
  const cluster = await startCluster(t);
  // Long enough to outlive everything below on a busy machine: the test ends it by bringing its worker back.
  const long = await writeAgent(cluster.scratch, 120_000);
  const short = await writeAgent(cluster.scratch, 1_000);
  const doomed = await cluster.startWorker('doomed');
  const launch = async (command: string, file: string) => (await cluster.cli(['run', '--json', '--runner', 'cmd', '--runner-option', `command=${command}`, '--dir', cluster.repo, file])).json.id as string;
  const victim = await launch(long.command, 'long.txt');
  // Only the doomed worker is up: the long run is certainly its.
  const running = await waitFor(async () => {
    const status = (await cluster.cli(['status', '--json', victim])).json;
    return status.state === 'running' && status.pid !== null && status.worker?.name === 'doomed' ? status : undefined;
  }, { what: 'the long run to start on the doomed worker', timeoutMs: 30_000 });
  const steady = await cluster.startWorker('steady');
  const others = [await launch(short.command, 'a.txt'), await launch(short.command, 'b.txt')];

  doomed.child.kill('SIGKILL');
  const killedAt = Date.now();
  const waited = await cluster.cli(['wait', '--json', '--timeout', '40s', victim], { timeoutMs: 50_000 });
  const noticedMs = Date.now() - killedAt;
  const lost = waited.json.runs[0];
  assert.equal(lost.state, 'failed');
  assert.match(lost.reasons[0], /^worker doomed on \S+ stopped heartbeating \(last seen \d{4}-\d\d-\d\dT[\d:.]+Z\); the run is given up$/);
  assert.ok(noticedMs < TEST_LOST_AFTER_MS + 10_000, `lost within the bound (took ${noticedMs} ms)`);
  const rest = await cluster.cli(['wait', '--json', '--timeout', '40s', ...others], { timeoutMs: 50_000 });
  assert.deepEqual(rest.json.runs.map((r: { state: string; worker: { name: string } }) => [r.state, r.worker.name]), [['completed', 'steady'], ['completed', 'steady']]);

  // The agent outlived its worker (it runs under the worker home's supervisor); the worker coming back ends it.
  // The dead worker's job lock lapses and BullMQ hands the job to the other worker, which finds the run claimed and does not run it.
  await waitFor(() => steady.log().includes(`run ${victim}: already taken by another worker`), { what: 'the redelivered job to be dropped', timeoutMs: 30_000 });
  assert.doesNotMatch(steady.log(), new RegExp(`run ${victim}: started`));
  const health = ((await cluster.cli(['workers', '--json'])).json as { name: string; health: string }[]).map((w) => [w.name, w.health]);
  assert.deepEqual(health, [['doomed', 'lost'], ['steady', 'alive']]);
  assert.ok(isProcessAlive(running.pid), 'the orphaned agent still runs before its worker comes back');
  const back = await cluster.startWorker('doomed');
  await waitFor(() => back.log().includes(`run ${victim}: found its agent still running`), { what: 'the returning worker to report the orphan', timeoutMs: 20_000 });
  await waitFor(() => !isProcessAlive(running.pid), { what: 'the orphaned agent to be killed', timeoutMs: 20_000 });
  const after = (await cluster.cli(['status', '--json', victim])).json;
  assert.equal(after.state, 'failed', 'a run given up stays given up');
});

test('kill of a cluster run from the lead reaches the agent on its worker', async (t) => {
  const cluster = await startCluster(t);
  const long = await writeAgent(cluster.scratch, 30_000);
  await cluster.startWorker('w1');
  const id = (await cluster.cli(['run', '--json', '--runner', 'cmd', '--runner-option', `command=${long.command}`, '--dir', cluster.repo, 'k.txt'])).json.id as string;
  const running = await waitFor(async () => {
    const status = (await cluster.cli(['status', '--json', id])).json;
    return status.state === 'running' && status.pid !== null ? status : undefined;
  }, { what: 'the run to start', timeoutMs: 30_000 });
  const killed = await cluster.cli(['kill', '--json', id, '--grace', '2s']);
  assert.equal(killed.json.state, 'killed', killed.stdout + killed.stderr);
  assert.equal(isProcessAlive(running.pid), false, 'the agent is gone');
  const status = (await cluster.cli(['status', '--json', id])).json;
  assert.equal(status.state, 'killed');
});

test('Redis unreachable: baton run fails fast naming the URL without its password and records nothing; --local still runs here', async (t) => {
  const cluster = await startCluster(t);
  await cluster.redis.stop();
  const url = `redis://:s3cret-pw@127.0.0.1:${cluster.redis.port}`;
  const started = Date.now();
  const result = await cluster.cli(['run', '--json', '--runner', 'cmd', '--runner-option', 'command=true {prompt}', '--dir', cluster.repo, 'x'], { env: { BATON_REDIS_URL: url } });
  const tookMs = Date.now() - started;
  assert.equal(result.code, 1);
  assert.match(result.stderr, new RegExp(`cannot reach Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${cluster.redis.port}`));
  assert.doesNotMatch(result.stdout + result.stderr, /s3cret-pw/);
  assert.ok(tookMs < 15_000, `failed fast (${tookMs} ms)`);
  const listed = await cluster.cli(['list', '--json'], { env: { BATON_REDIS_URL: url } });
  assert.deepEqual(listed.json, []);
  // --local keeps a run on this machine: it needs no Redis at all.
  const here = await cluster.cli(['run', '--json', '--local', '--runner', 'cmd', '--runner-option', 'command=true {prompt}', '--dir', cluster.repo, 'x'], { env: { BATON_REDIS_URL: url } });
  assert.equal(here.code, 0, here.stderr);
  const waited = await cluster.cli(['wait', '--json', '--timeout', '30s', here.json.id], { env: { BATON_REDIS_URL: url } });
  assert.equal(waited.json.runs[0].state, 'completed');
  assert.equal(waited.json.runs[0].worker, undefined, 'a local run has no worker');
});
