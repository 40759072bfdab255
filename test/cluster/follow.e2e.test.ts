import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { Baton } from '../../src/baton.js';
import { connectRedis } from '../../src/cluster/connection.js';
import { CLUSTER_KEYS } from '../../src/cluster/keys.js';
import { createBatonMcpServer } from '../../src/mcp/server.js';
import type { FollowEvent } from '../../src/follow.js';
import { parseScript, startMockModel } from '../../src/mock-model/index.js';
import { claudeHarness } from '../contract/harnesses/claude.js';
import { API_KEY } from '../contract/harness.js';
import { BATON_BIN, phasePrompt } from '../e2e/harness.js';
import { waitFor } from '../wait-for.js';
import { startCluster, writeAgent, writeTalker, type TestCluster } from './harness.js';

async function launch(cluster: TestCluster, runnerOptions: string[], prompt: string): Promise<string> {
  const launched = await cluster.cli(['run', '--json', '--runner', 'cmd', ...runnerOptions, '--dir', cluster.repo, prompt]);
  assert.equal(launched.code, 0, launched.stderr);
  return launched.json.id as string;
}

async function status(cluster: TestCluster, id: string): Promise<{ state: string; pid: number | null; worker: { name: string } | null; sessionId: string | null }> {
  return (await cluster.cli(['status', '--json', id])).json;
}

/** `baton tail -f` on the lead as its own process: what it printed so far (each chunk with when it came), and its exit. */
function follow(cluster: TestCluster, id: string) {
  const child = spawn(process.execPath, [BATON_BIN, 'tail', '-f', '-n', '1000', id], { env: cluster.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: { at: number; text: string }[] = [];
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => chunks.push({ at: Date.now(), text }));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const bounded = setTimeout(() => child.kill('SIGKILL'), 60_000);
  void exited.then(() => clearTimeout(bounded));
  return { exited, chunks, out: () => chunks.map((c) => c.text).join(''), err: () => stderr };
}

test('tail and tail -f of a running cluster run from the lead: lines arrive while it runs, and the follow ends with the run', async (t) => {
  const cluster = await startCluster(t);
  const talker = await writeTalker(cluster.scratch, 20, 500);
  const lines = Array.from({ length: 20 }, (_, i) => `talk line ${i}`);
  await cluster.startWorker('w1');
  const id = await launch(cluster, talker.runnerOptions, 'talk');
  await waitFor(async () => (await status(cluster, id)).pid !== null, { what: 'the run to start on the worker', timeoutMs: 30_000 });
  const followed = follow(cluster, id);
  // The library's event stream (the dashboard's), in this process, from the start of the worker's log.
  const baton = new Baton({ home: cluster.env.BATON_HOME!, env: cluster.env });
  t.after(() => baton.close());
  const streamed = (async () => {
    const events: FollowEvent[] = [];
    for await (const event of baton.followEvents(id, 0)) events.push(event);
    return events;
  })();

  const tailed = await waitFor(async () => {
    const result = await cluster.cli(['tail', '--json', id]);
    assert.equal(result.code, 0, result.stderr);
    return (result.json.lines as string[]).includes('talk line 0') ? result.json : undefined;
  }, { what: 'the worker to answer a tail with the first line', timeoutMs: 20_000 });
  assert.equal(tailed.id, id);
  assert.match(tailed.lines[0], /^session: ses-/);
  const bounded = await cluster.cli(['tail', '--json', '-n', '1', id]);
  assert.equal(bounded.json.lines.length, 1, 'the worker honours the line count');

  assert.equal(await followed.exited, 0, followed.err());
  assert.deepEqual(followed.out().trim().split('\n').filter((l) => l.startsWith('talk line')), lines, 'every line once, in order');
  assert.match(followed.err(), new RegExp(`run ${id} completed`));
  // Streamed, not replayed at the end: after the first write (the tail), lines reached the lead before the agent ended.
  const agentEnd = (await traces(talker.trace))[0]!.end;
  const early = followed.chunks.slice(1).filter((chunk) => chunk.at < agentEnd && /talk line \d+/.test(chunk.text));
  assert.ok(early.length > 0, `lines arrived while the run ran (agent ended at ${agentEnd}; chunks at ${followed.chunks.map((c) => c.at).join(', ')})`);
  const events = await streamed;
  const text = events.flatMap((event) => (event.kind === 'text' ? [event.text] : [])).join('');
  assert.deepEqual(text.split('\n').filter((l) => l.startsWith('talk line')), lines, 'followEvents: every line once, in order');
  assert.deepEqual(events.at(-1), { kind: 'end', state: 'completed' });
  assert.ok(events.some((event) => event.kind === 'changed' && event.state === 'running'), 'followEvents: the record changes too');

  // Ended: tail still reads the worker's log, from the CLI and from MCP; export asks the worker (whose cmd runner has no export).
  const after = await cluster.cli(['tail', '--json', '-n', '2', id]);
  assert.deepEqual(after.json.lines, lines.slice(-2));
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const server = createBatonMcpServer(baton);
  const client = new Client({ name: 'test', version: '1' });
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  t.after(() => client.close());
  const mcpTail = await client.callTool({ name: 'tail', arguments: { id, lines: 2 } });
  assert.deepEqual((mcpTail.structuredContent as { lines: string[] }).lines, lines.slice(-2), JSON.stringify(mcpTail));
  const exported = await cluster.cli(['export', id]);
  assert.equal(exported.code, 1);
  assert.match(exported.stderr, /on worker w1: the cmd runner has no session export/);
});

interface TalkerTrace {
  home: string;
  session: string;
  resumed: string | null;
  prompt: string;
  cwd: string;
  before: string[];
  end: number;
}

async function traces(path: string): Promise<TalkerTrace[]> {
  return (await readFile(path, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as TalkerTrace);
}

test('resume of a cluster run from the lead goes back to the worker that ran it: same home, same worktree, the session carried', async (t) => {
  const cluster = await startCluster(t);
  const talker = await writeTalker(cluster.scratch, 2, 100);
  const w1 = await cluster.startWorker('w1');
  const first = await launch(cluster, talker.runnerOptions, 'first');
  const done = await cluster.cli(['wait', '--json', '--timeout', '40s', first], { timeoutMs: 50_000 });
  assert.equal(done.json.runs[0].state, 'completed', done.stdout);
  // Another idle worker that takes any cmd job: the resume must not go to it.
  await cluster.startWorker('w2');

  const resumed = await cluster.cli(['resume', '--json', first, 'second']);
  assert.equal(resumed.code, 0, resumed.stderr);
  const child = resumed.json.id as string;
  const waited = await cluster.cli(['wait', '--json', '--timeout', '40s', child], { timeoutMs: 50_000 });
  const ended = waited.json.runs[0];
  assert.equal(ended.state, 'completed', waited.stdout);
  assert.equal(ended.worker.name, 'w1');

  const [ran, again] = await traces(talker.trace);
  assert.equal(again!.home, w1.home, 'resumed on the worker that holds the session');
  assert.equal(again!.resumed, ran!.session, 'the session id carried into the agent');
  assert.equal(again!.cwd, ran!.cwd, 'in the same worktree');
  assert.deepEqual(again!.before, ['first.txt'], 'with what the first run left');
  const status = (await cluster.cli(['status', '--json', child])).json;
  assert.equal(status.parentId, first);
  const firstResult = (await cluster.git(cluster.remote, 'rev-parse', `refs/baton/runs/${first}/result`)).trim();
  const baton = new Baton({ home: cluster.env.BATON_HOME!, env: cluster.env });
  t.after(() => baton.close());
  assert.equal(baton.store.runs.get(child)!.placement!.base, firstResult, 'the lead records where the resume started');
  assert.equal(status.sessionId, ran!.session);
  // The resumed run's result carries both runs' work; its base is where it started.
  assert.equal((await cluster.git(cluster.remote, 'show', `refs/baton/runs/${child}/result:second.txt`)).trim(), ran!.session);
  assert.equal((await cluster.git(cluster.remote, 'show', `refs/baton/runs/${child}/result:first.txt`)).trim(), ran!.session);
  assert.equal((await cluster.git(cluster.remote, 'rev-parse', `refs/baton/runs/${child}/base`)).trim(), (await cluster.git(cluster.remote, 'rev-parse', `refs/baton/runs/${first}/result`)).trim());

  // With a base (a plan passes its phase worktree's state), the worker checks it out in the worktree first.
  await writeFile(join(cluster.repo, 'base.txt'), 'the lead state\n');
  await cluster.git(cluster.repo, 'add', 'base.txt');
  const tree = (await cluster.git(cluster.repo, 'write-tree')).trim();
  await cluster.git(cluster.repo, 'reset', '--quiet');
  const base = (await cluster.git(cluster.repo, 'commit-tree', tree, '-p', 'HEAD', '-m', 'lead state')).trim();
  const third = await baton.resume(child, 'third', { base });
  const last = await baton.wait([third.id], { timeoutMs: 40_000 });
  assert.equal(last.runs[0]!.state, 'completed');
  const thirdTrace = (await traces(talker.trace))[2]!;
  assert.equal(thirdTrace.home, w1.home);
  assert.equal(thirdTrace.resumed, ran!.session);
  assert.deepEqual(thirdTrace.before, ['base.txt'], 'the worktree was brought to the given base (first.txt is not in it)');
});

test('resume after its worker is SIGKILLed: a resume waiting for it fails as worker-lost, a new one is refused naming it', async (t) => {
  const cluster = await startCluster(t);
  const talker = await writeTalker(cluster.scratch, 1, 0);
  const long = await writeAgent(cluster.scratch, 40_000);
  const doomed = await cluster.startWorker('doomed');
  const first = await launch(cluster, talker.runnerOptions, 'first');
  assert.equal((await cluster.cli(['wait', '--json', '--timeout', '40s', first], { timeoutMs: 50_000 })).json.runs[0].state, 'completed');
  // Its one slot busy: the resume waits in its queue.
  const busy = await launch(cluster, ['--runner-option', `command=${long.command}`], 'busy.txt');
  await waitFor(async () => (await status(cluster, busy)).pid !== null, { what: 'the long run to start', timeoutMs: 30_000 });
  const waiting = await cluster.cli(['resume', '--json', first, 'second']);
  assert.equal(waiting.code, 0, waiting.stderr);
  assert.equal((await status(cluster, waiting.json.id)).state, 'queued');

  const following = follow(cluster, busy);
  // Killed once the follow is under way (its tail answered, its follow key set), not while it asks.
  const redis = await connectRedis(cluster.redis.url, {});
  t.after(() => redis.disconnect());
  await waitFor(async () => (await redis.exists(CLUSTER_KEYS.following(busy))) === 1, { what: 'tail -f to follow the run', timeoutMs: 30_000 });

  doomed.child.kill('SIGKILL');
  const failed = await cluster.cli(['wait', '--json', '--timeout', '40s', waiting.json.id], { timeoutMs: 50_000 });
  assert.equal(failed.json.runs[0].state, 'failed', failed.stdout);
  assert.match(failed.json.runs[0].reasons[0], /^worker doomed on \S+ stopped heartbeating \(last seen \d{4}-\d\d-\d\dT[\d:.]+Z\)/);

  const refused = await cluster.cli(['resume', '--json', first, 'third']);
  assert.equal(refused.code, 1, refused.stdout);
  assert.match(refused.stderr, /cannot resume run \S+, whose session lives on its worker: worker doomed on \S+ is gone \(last seen \d{4}-\d\d-\d\dT[\d:.]+Z\)/);
  // Nothing ran the resumes anywhere.
  assert.equal((await traces(talker.trace)).length, 1);
  // A tail -f of the lost worker's run ends when the lead gives the run up.
  assert.equal(await following.exited, 0, following.err());
  assert.match(following.err(), new RegExp(`run ${busy} failed`));
});

test('a real claude on a worker against the scripted model: resume from the lead continues its session there, export from the lead reads it', async (t) => {
  const cluster = await startCluster(t);
  const mock = await startMockModel({
    script: parseScript({ steps: [claudeHarness.writeFile('src/a.txt', 'a\n'), { text: 'I created src/a.txt.' }, claudeHarness.writeFile('src/b.txt', 'b\n'), { text: 'Now src/b.txt exists too.' }] }),
    apiKey: API_KEY,
  });
  t.after(() => mock.close());
  const prepared = await claudeHarness.prepare(mock, join(cluster.scratch, 'claude'));
  await cluster.startWorker('w1', { runners: ['claude'], env: prepared.env });
  const first = await cluster.cli(['run', '--json', '--runner', 'claude', ...prepared.runArgs, '--dir', cluster.repo, phasePrompt(['src/a.txt', 'src/b.txt'])]);
  assert.equal(first.code, 0, first.stderr);
  const incomplete = (await cluster.cli(['wait', '--json', '--timeout', '50s', first.json.id], { timeoutMs: 60_000 })).json.runs[0];
  assert.deepEqual([incomplete.state, incomplete.reasons], ['incomplete', ['missing file src/b.txt']]);
  assert.ok(incomplete.sessionId);
  // The lead has no claude of its own to ask: the worker starts one on its session and its worktree.
  const resumed = await cluster.cli(['resume', '--json', first.json.id]);
  assert.equal(resumed.code, 0, resumed.stderr);
  const done = (await cluster.cli(['wait', '--json', '--timeout', '50s', resumed.json.id], { timeoutMs: 60_000 })).json.runs[0];
  assert.equal(done.state, 'completed', JSON.stringify(done.reasons));
  assert.equal(done.sessionId, incomplete.sessionId, 'the same agent session continues');
  assert.equal(done.worker.name, 'w1');
  assert.equal(await cluster.git(cluster.remote, 'show', `refs/baton/runs/${resumed.json.id}/result:src/b.txt`), 'b\n');

  const exported = await cluster.cli(['export', '--json', resumed.json.id]);
  assert.equal(exported.code, 0, exported.stderr);
  assert.equal(exported.json.sessionId, incomplete.sessionId);
  assert.match(JSON.stringify(exported.json.session), /Now src\/b\.txt exists too\./);
});
