import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { cleanupStack } from '../cleanup.js';
import { startCluster, writeAgent } from '../cluster/harness.js';
import { waitFor } from '../wait-for.js';
import { connectMcpServer, textOf, waitUntilDone } from './harness.js';

/** The lead's environment as the SDK's stdio transport takes it. */
function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

test('MCP on the lead of a cluster: run dispatches, status and list name the worker (or the queue), wait reports it, workers lists the workers; without a cluster workers says how to configure one', { timeout: 120_000 }, async (t) => {
  const cluster = await startCluster(t);
  const agent = await writeAgent(cluster.scratch, 500);
  const mcp = await connectMcpServer(cleanupStack(t), stringEnv(cluster.env), cluster.repo);

  const none = await mcp.call('workers', {});
  assert.equal(none.isError, undefined, textOf(none));
  assert.deepEqual(none.structuredContent.workers, []);
  assert.match(textOf(none), /no workers have registered yet/);

  // No worker yet: the run waits in the queue, and status and list say so.
  const launched = await mcp.call('run', { prompt: 'mcp.txt', runner: 'cmd', runnerOptions: { command: agent.command }, dir: cluster.repo });
  assert.equal(launched.isError, undefined, textOf(launched));
  const id = launched.structuredContent.id as string;
  assert.equal(launched.structuredContent.state, 'queued');
  const queued = await mcp.call('status', { id });
  assert.equal(queued.structuredContent.runs[0].worker, null);
  assert.match(textOf(queued), /worker\s+none yet: queued for the cluster/);
  const listedQueued = await mcp.call('list', {});
  assert.equal(listedQueued.structuredContent.runs[0].worker, null);
  assert.match(textOf(listedQueued), new RegExp(`^${id}  queued\\s+cmd @queue  `));

  await cluster.startWorker('w1');
  await cluster.startWorker('w2');
  const { result } = await waitUntilDone(mcp, [id], 10);
  const report = result.structuredContent.runs[0];
  assert.equal(report.state, 'completed', JSON.stringify(report));
  assert.ok(['w1', 'w2'].includes(report.worker.name), JSON.stringify(report.worker));
  const worker = report.worker as { name: string; host: string };
  assert.ok(worker.host);

  const status = await mcp.call('status', { id, detail: 'full' });
  assert.deepEqual(status.structuredContent.runs[0].worker, worker);
  assert.match(textOf(status), new RegExp(`worker\\s+${worker.name} on ${worker.host}`));
  const listed = await mcp.call('list', {});
  assert.deepEqual(listed.structuredContent.runs[0].worker, worker);
  assert.match(textOf(listed), new RegExp(`^${id}  completed\\s+cmd @${worker.name}  `));

  // A worker says its slot is free again with its next heartbeat (every 2 s), not at the run's end.
  type Listed = { name: string; health: string; slots: number; slotsFree: number; runners: { name: string }[] };
  const rows = (listed: Listed[]) => listed.map((w) => [w.name, w.health, w.slots, w.slotsFree, w.runners.map((r) => r.name).join()]);
  const expected = [
    ['w1', 'alive', 1, 1, 'cmd'],
    ['w2', 'alive', 1, 1, 'cmd'],
  ];
  const workers = await waitFor(async () => {
    const answer = await mcp.call('workers', {});
    return isDeepStrictEqual(rows(answer.structuredContent.workers), expected) ? answer : undefined;
  }, { what: 'both workers alive with their slot free', timeoutMs: 20_000, intervalMs: 250 });
  assert.match(textOf(workers), /^w1 alive · \S+ pid \d+ · slots 0\/1 used · runners cmd(?: \S+)? · last heartbeat \d{4}-/m);

  // A lead with no cluster: the tool explains instead of failing obscurely.
  const localEnv = stringEnv(cluster.env);
  delete localEnv.BATON_REDIS_URL;
  const local = await connectMcpServer(cleanupStack(t), localEnv, cluster.repo);
  const refused = await local.call('workers', {});
  assert.equal(refused.isError, true);
  assert.match(textOf(refused), /^workers: invalid input: no cluster configured/);
});
