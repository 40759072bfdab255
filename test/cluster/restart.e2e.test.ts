import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test, type TestContext } from 'node:test';
import { connectRedis } from '../../src/cluster/connection.js';
import { CLUSTER_KEYS } from '../../src/cluster/keys.js';
import { Baton } from '../../src/baton.js';
import { startCluster, TEST_LOST_AFTER_MS, writeAgent } from './harness.js';
import { waitFor } from '../wait-for.js';

interface Trace {
  home: string;
  file: string;
}

interface Status {
  id: string;
  state: string;
  pid: number | null;
  reasons: string[];
  worker: { name: string } | null;
}

/**
 * 7 runs over 3 one-slot workers; once some run and the rest wait in the queue, Redis (persistent)
 * restarts, down for `downMs`. Then: every run completes, each agent ran exactly once, none was given up
 * as worker-lost, the workers are alive again, and the lead's `wait` begun before the restart returns.
 */
async function restartMidRuns(t: TestContext, downMs: number): Promise<void> {
  const cluster = await startCluster(t, { redis: { persistent: true } });
  const agent = await writeAgent(cluster.scratch, 4_000);
  const workers = await Promise.all(['w1', 'w2', 'w3'].map((name) => cluster.startWorker(name)));
  const files = Array.from({ length: 7 }, (_, i) => `out-${i}.txt`);
  const launches = await Promise.all(files.map((file) => cluster.cli(['run', '--json', '--runner', 'cmd', '--runner-option', `command=${agent.command}`, '--dir', cluster.repo, file])));
  const ids = launches.map((launched) => {
    assert.equal(launched.code, 0, launched.stderr);
    return launched.json.id as string;
  });
  let seen: Status[] = [];
  await waitFor(async () => {
    seen = (await cluster.cli(['status', '--json', ...ids])).json as Status[];
    const running = seen.filter((s) => s.state === 'running' && s.pid !== null).length;
    const queued = seen.filter((s) => s.state === 'queued').length;
    return running >= 2 && queued >= 2;
  }, { what: 'some runs running and some still queued', timeoutMs: 40_000 }).catch((error: Error) => {
    throw new Error(`${error.message}: ${JSON.stringify(seen.map((s) => [s.state, s.pid, s.worker?.name]))}`);
  });

  const waiting = cluster.cli(['wait', '--json', '--timeout', '100s', ...ids], { timeoutMs: 110_000 });
  // Redis goes away only once the waiting lead listens to the run events: its watch must live through the restart.
  const probe = await connectRedis(cluster.redis.url, {});
  await waitFor(async () => ((await probe.pubsub('NUMSUB', CLUSTER_KEYS.runEvents)) as [string, number])[1] > 0, { what: 'the waiting lead to subscribe', timeoutMs: 30_000 });
  probe.disconnect();
  await cluster.redis.restart({ downMs });

  const waited = await waiting;
  assert.equal(waited.code, 0, waited.stderr + waited.stdout);
  assert.equal(waited.json.timedOut, false, waited.stdout);
  const runs = waited.json.runs as Status[];
  for (const run of runs) {
    assert.doesNotMatch(run.reasons.join('\n'), /stopped heartbeating/, `run ${run.id} was not given up as worker-lost`);
    assert.equal(run.state, 'completed', `run ${run.id}: ${run.reasons.join('; ')}`);
  }

  const traces = (await readFile(agent.trace, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as Trace);
  assert.deepEqual(traces.map((trace) => trace.file).sort(), [...files].sort(), 'every run executed exactly once');
  const homes = new Map(workers.map((w) => [w.home, w.name]));
  for (const [i, run] of runs.entries()) {
    const trace = traces.find((tr) => tr.file === files[i])!;
    assert.equal(run.worker?.name, homes.get(trace.home), `status names the worker that ran ${run.id}`);
    assert.match(await cluster.git(cluster.remote, 'show', `refs/baton/runs/${run.id}/result:${files[i]}`), /^written by /);
  }
  // Their heartbeats resume by themselves: every worker is listed alive again.
  await waitFor(async () => {
    const listed = (await cluster.cli(['workers', '--json'])).json as { name: string; health: string }[];
    return listed.every((w) => w.health === 'alive') && listed.length === 3;
  }, { what: 'the workers to show alive after the restart', timeoutMs: 20_000 });
  for (const worker of workers) {
    assert.equal(worker.child.exitCode, null, `${worker.name} kept running: ${worker.log()}`);
    assert.match(worker.log(), /lost Redis at redis:\/\/127\.0\.0\.1:\d+; reconnecting\n[^]*Redis at \S+ is back \(\d+ ms without it\)/);
  }
  // Their subscriptions came back with the connection: a kill from the lead still reaches every worker.
  const probe2 = await connectRedis(cluster.redis.url, {});
  await waitFor(async () => ((await probe2.pubsub('NUMSUB', CLUSTER_KEYS.kills)) as [string, number])[1] === 3, { what: 'the workers to listen for kills again', timeoutMs: 20_000 });
  probe2.disconnect();
}

test('Redis restarts (persistent, down ~2 s) while runs are queued and running: all complete once each, workers reconnect', async (t) => {
  await restartMidRuns(t, 2_000);
});

test('Redis down longer than the heartbeat bound: no worker is judged lost for it, all runs complete once each', async (t) => {
  // The heartbeat keys lapse while Redis is down (or on load): the lead must not take that for lost workers.
  await restartMidRuns(t, TEST_LOST_AFTER_MS + 2_000);
});

test('a worker told to stop while Redis is down leaves by itself, and logs the outage once instead of every reconnection attempt', async (t) => {
  const cluster = await startCluster(t, { redis: { persistent: true } });
  const worker = await cluster.startWorker('w1');
  await cluster.redis.stop();
  await waitFor(() => worker.log().includes('lost Redis at'), { what: 'the worker to notice Redis is gone', timeoutMs: 20_000 });
  // A few reconnection attempts pass (each one BullMQ reports as an error) before the worker is told to stop.
  const noticedAt = Date.now();
  await waitFor(() => Date.now() - noticedAt > 2_000, { what: 'two seconds of outage', timeoutMs: 5_000 });
  worker.child.kill('SIGTERM');
  // The harness would SIGKILL it after 30 s; leaving by itself means exit code 0 well before.
  await waitFor(() => worker.child.exitCode !== null || worker.child.signalCode !== null, { what: 'the worker to leave', timeoutMs: 25_000 }).catch((error: Error) => {
    throw new Error(`${error.message}; its log:\n${worker.log()}`);
  });
  assert.equal(worker.child.exitCode, 0, worker.log());
  assert.doesNotMatch(worker.log(), /ECONNREFUSED/);
  assert.equal(worker.log().match(/lost Redis at/g)?.length, 1);
});

test('a worker told to stop while its start still waits on Redis (writes paused) leaves by itself', async (t: TestContext) => {
  const cluster = await startCluster(t);
  const admin = await connectRedis(cluster.redis.url, process.env);
  try {
    // Reads still answer, writes wait: the worker connects, then its registration waits for as long as the pause.
    await admin.call('CLIENT', 'PAUSE', '60000', 'WRITE');
    const worker = await cluster.startWorker('w1', { ready: false });
    await waitFor(async () => ((await admin.call('CLIENT', 'LIST')) as string).trim().split('\n').length > 1, { what: 'the worker to connect', timeoutMs: 30_000 });
    worker.child.kill('SIGTERM');
    await waitFor(() => worker.child.exitCode !== null || worker.child.signalCode !== null, { what: 'the worker to leave', timeoutMs: 25_000 }).catch((error: Error) => {
      throw new Error(`${error.message}; its log:\n${worker.log()}`);
    });
    assert.equal(worker.child.exitCode, 0, worker.log());
    assert.match(worker.log(), /worker w1: stopped before it was ready to take work/);
    assert.doesNotMatch(worker.log(), /worker w1 on /, 'never said it was ready');
  } finally {
    // Before the cluster's own clean-up stops Redis: a command sent to a gone server would wait for ever.
    await admin.call('CLIENT', 'UNPAUSE').catch(() => undefined);
    admin.disconnect();
  }
});

test('a long-lived lead (one Baton, as MCP or the dashboard hold): while Redis is down its reads fail naming the URL; after, they work again by themselves', async (t) => {
  const cluster = await startCluster(t, { redis: { persistent: true } });
  // No worker: the run stays queued, so the lead has an active cluster run to fold.
  const id = (await cluster.cli(['run', '--json', '--runner', 'cmd', '--runner-option', 'command=true {prompt}', '--dir', cluster.repo, 'x'])).json.id as string;
  const lead = new Baton({ home: cluster.env.BATON_HOME!, env: cluster.env });
  t.after(() => lead.close());
  await lead.refreshCluster();
  await cluster.redis.stop();
  await assert.rejects(lead.refreshCluster(), (error: Error) => {
    assert.match(error.message, new RegExp(`^cannot reach Redis at redis://127\\.0\\.0\\.1:${cluster.redis.port}: `));
    return true;
  });
  await cluster.redis.restart();
  await waitFor(() => lead.refreshCluster().then(() => true, () => false), { what: 'the lead to read the cluster again', timeoutMs: 20_000 });
  assert.equal(lead.status([id])[0]!.state, 'queued');
  const worker = await cluster.startWorker('late');
  const waited = await lead.wait([id], { timeoutMs: 30_000 });
  assert.equal(waited.runs[0]!.state, 'completed', worker.log());
});
