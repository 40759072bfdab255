import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { Baton } from '../../src/baton.js';
import { createBatonMcpServer } from '../../src/mcp/server.js';
import { startCluster, writeAgent, type TestCluster } from './harness.js';
import { assertOneCommitPerPhase, assertRanOnWorkers, runnerOptionsYaml, runPlan, writeDrafter, writePlan, writeSessionAgent, type Trace } from './plan-helpers.js';
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
  // MCP plan_status, from an in-process server on the lead: its short status names the workers too, its full record carries them.
  const baton = new Baton({ home: cluster.env.BATON_HOME!, env: cluster.env });
  t.after(() => baton.close());
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'test', version: '1' });
  await Promise.all([createBatonMcpServer(baton).connect(serverSide), client.connect(clientSide)]);
  t.after(() => client.close());
  const mcp = await client.callTool({ name: 'plan_status', arguments: { id, detail: 'full' } });
  const brief = (mcp.content as { text: string }[])[0]!.text;
  for (const phase of status.phases) assert.match(brief, new RegExp(`^${phase.id} committed .*on ${phase.worker.name}@`, 'm'), brief);
  assert.deepEqual((mcp.structuredContent as { phases: { worker: unknown }[] }).phases.map((p) => p.worker), status.phases.map((p: { worker: unknown }) => p.worker));

  assert.equal(readFileSync(join(cluster.repo, 'README.md'), 'utf8'), '# scratch repo\nmy local edit\n');
  assert.equal(readFileSync(join(cluster.repo, 'notes.txt'), 'utf8'), 'my notes\n');
  for (const name of ['a', 'b', 'c', 'd']) assert.match(readFileSync(join(cluster.repo, `${name}.txt`), 'utf8'), /^written by /);
  assert.equal((await cluster.git(cluster.repo, 'branch', '--list', 'baton/*')).trim(), '', 'no phase branch left');
  assert.equal((await cluster.git(cluster.repo, 'for-each-ref', 'refs/baton/')).trim(), '', 'no fetched result ref left in the user\'s repository');
});

test('a 2-phase serial plan in a subfolder over the cluster: each phase on a worker, in that folder, the second sees the first\'s work, one commit each', async (t) => {
  const cluster = await startCluster(t);
  const agent = await writeAgent(cluster.scratch, 500);
  const workers = await Promise.all(['w1', 'w2'].map((name) => cluster.startWorker(name)));
  mkdirSync(join(cluster.repo, 'pkg'));
  writeFileSync(join(cluster.repo, 'pkg', 'README.md'), 'a package\n');
  await cluster.git(cluster.repo, 'add', 'pkg');
  await cluster.git(cluster.repo, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'the plan\'s folder');
  const file = writePlan(cluster, agent.command, [{ id: 'A' }, { id: 'B' }], 1, join(cluster.repo, 'pkg'));
  // B's verification needs A's file: in its worktree, which starts from the branch with A merged.
  writeFileSync(file, readFileSync(file, 'utf8').replace('verify: ["test -f b.txt"]', 'verify: ["test -f a.txt && test -f b.txt"]'));
  const { id } = await runPlan(cluster, file);
  await assertOneCommitPerPhase(cluster, id, ['A', 'B'], 'pkg/');
  const traces = await assertRanOnWorkers(cluster, agent.trace, workers, ['A', 'B']);
  for (const trace of traces) assert.match(trace.cwd, /\/pkg$/, 'the agent ran in the plan\'s folder of its checkout');
});

/**
 * Starts the 2-phase plan (`flags`, `env` until it is stopped), stops it once phase A launched, resumes
 * it with the lead's usual environment (BATON_REDIS_URL set), and waits for it: completed, one commit per phase.
 */
async function stopAndResume(cluster: TestCluster, file: string, flags: string[], env: NodeJS.ProcessEnv) {
  const started = await cluster.cli(['plan', 'run', file, ...flags, '--no-lint', '--json'], { env });
  assert.equal(started.code, 0, started.stderr);
  const id = started.json.id as string;
  await waitFor(async () => (await cluster.cli(['plan', 'status', id, '--json'], { env })).json.phases[0].runs.length > 0, { what: 'phase A to launch', timeoutMs: 30_000 });
  const stopped = await cluster.cli(['plan', 'stop', id, '--json'], { env });
  assert.equal(stopped.json.state, 'stopped', stopped.stdout);
  const resumed = await cluster.cli(['plan', 'resume', id, '--json']);
  assert.equal(resumed.code, 0, resumed.stderr);
  const waited = await cluster.cli(['plan', 'wait', id, '--timeout', '50s', '--json'], { timeoutMs: 60_000 });
  assert.equal(waited.json.state, 'completed', JSON.stringify(waited.json, null, 1));
  await assertOneCommitPerPhase(cluster, id, ['A', 'B']);
  return waited;
}

test('plan run --local with a cluster configured runs here, in the checkout, as without one; plan resume keeps it', async (t) => {
  const cluster = await startCluster(t);
  // No worker at all: a phase dispatched to the cluster would wait forever.
  const agent = await writeAgent(cluster.scratch, 3_000);
  const file = writePlan(cluster, agent.command, [{ id: 'A' }, { id: 'B' }], 1);
  const waited = await stopAndResume(cluster, file, ['--local'], {});
  const traces = (await readFile(agent.trace, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as Trace);
  for (const trace of traces) {
    assert.equal(trace.home, cluster.env.BATON_HOME, `${trace.file} ran under the lead's home`);
    assert.equal(realpathSync(trace.cwd), realpathSync(cluster.repo), `${trace.file} ran in the user's checkout, as a serial plan does`);
  }
  for (const phase of waited.json.phases) assert.equal(phase.worker, null);
});

test('a plan begun with no cluster configured stays on this machine when resumed after one is configured', async (t) => {
  const cluster = await startCluster(t);
  // No worker at all: a phase dispatched to the cluster would wait forever.
  const agent = await writeAgent(cluster.scratch, 3_000);
  const file = writePlan(cluster, agent.command, [{ id: 'A' }, { id: 'B' }], 1);
  const waited = await stopAndResume(cluster, file, [], { BATON_REDIS_URL: '' });
  const traces = (await readFile(agent.trace, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as Trace);
  for (const trace of traces) assert.equal(realpathSync(trace.cwd), realpathSync(cluster.repo), `${trace.file} ran in the user's checkout, as it began`);
  for (const phase of waited.json.phases) assert.equal(phase.worker, null);
});

test('a phase whose verification fails is fixed by resuming its session on the same worker, from the lead\'s state; one commit per phase', async (t) => {
  const cluster = await startCluster(t);
  const agent = await writeDrafter(cluster.scratch);
  const workers = await Promise.all(['w1', 'w2'].map((name) => cluster.startWorker(name)));
  const file = join(cluster.scratch, 'plan.yaml');
  writeFileSync(
    file,
    `project: scratch
dir: ${cluster.repo}
defaults: { runner: cmd, runnerOptions: ${runnerOptionsYaml(agent.runnerOptions)} }
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

test('two phases side by side writing the same file: the second\'s merge conflict is resolved by its session on its worker, from the lead\'s conflicted worktree', async (t) => {
  const cluster = await startCluster(t);
  // Fresh: writes its phase id into shared.txt. Resumed: drops the conflict marker lines of every file holding them.
  const { runnerOptions: options, trace } = await writeSessionAgent(
    cluster.scratch,
    'sider',
    `await new Promise((r) => setTimeout(r, 1000));
const marked = resumed ? readdirSync('.').filter((f) => f.endsWith('.txt') && readFileSync(f, 'utf8').includes('<<<<<<<')) : [];
if (resumed) for (const f of marked) writeFileSync(f, readFileSync(f, 'utf8').split('\\n').filter((l) => !/^(<<<<<<<|=======|>>>>>>>)/.test(l)).join('\\n'));
else writeFileSync('shared.txt', args[0].split('\\n')[0] + '\\n');
appendFileSync(TRACE, JSON.stringify({ home: process.env.BATON_HOME, session, resumed, marked }) + '\\n');
`,
  );
  await Promise.all(['w1', 'w2'].map((name) => cluster.startWorker(name)));
  const file = join(cluster.scratch, 'plan.yaml');
  writeFileSync(
    file,
    `project: scratch
dir: ${cluster.repo}
maxParallel: 2
defaults: { runner: cmd, runnerOptions: ${runnerOptionsYaml(options)} }
phases:
  - { id: A, title: "Step A", prompt: "A", files: [shared.txt], verify: ["test -f shared.txt"] }
  - { id: B, title: "Step B", prompt: "B", files: [shared.txt], needs: [A], verify: ["test -f shared.txt"] }
  - { id: C, title: "Step C", prompt: "C", files: [shared.txt], needs: [A], verify: ["test -f shared.txt"] }
`,
  );
  const { id, status } = await runPlan(cluster, file);
  const subjects = (await cluster.git(cluster.repo, 'log', '--format=%s', 'main')).trim().split('\n').reverse();
  assert.deepEqual(subjects, ['initial', 'Phase A: Step A', 'Phase B: Step B', 'Phase C: Step C']);
  assert.match(await cluster.git(cluster.repo, 'show', '-s', '--format=%B', 'main'), new RegExp(`Baton-Plan-Run: ${id}\\nBaton-Phase: C`));
  const shared = await cluster.git(cluster.repo, 'show', 'main:shared.txt');
  assert.deepEqual(shared.trim().split('\n').sort(), ['B', 'C'], `both sides kept, no markers: ${shared}`);
  const runs = (await readFile(trace, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { home: string; session: string; resumed: string | null; marked: string[] });
  const fixes = runs.filter((r) => r.resumed);
  assert.equal(fixes.length, 1, JSON.stringify(runs));
  const first = runs.find((r) => r.session === fixes[0]!.resumed && !r.resumed)!;
  assert.equal(fixes[0]!.home, first.home, 'the conflict was resolved on the worker that holds the session');
  assert.deepEqual(fixes[0]!.marked, ['shared.txt'], 'the worker got the lead\'s conflicted worktree');
  const later = status.phases.find((p: { runs: { kind: string }[] }) => p.runs.length === 2);
  assert.deepEqual(later.runs.map((r: { kind: string }) => r.kind), ['launch', 'fix']);
});
