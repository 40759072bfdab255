import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openStore } from '../../src/store/index.js';
import { runCli } from '../e2e/harness.js';
import { makeGitRepo, makeTempDir } from '../mock-model/agent-harness.js';
import { waitFor } from '../wait-for.js';

const execFileAsync = promisify(execFile);


interface World {
  repo: string;
  home: string;
  env: NodeJS.ProcessEnv;
  /** Every start of the agent appends a line here. */
  marker: string;
  runArgs: (dir: string, more?: string[]) => string[];
  /** Lets the repository's baseline finish: until then it is held inside `git add`. */
  openGate: () => void;
}

/**
 * A git repository whose baseline is held for as long as the test wants, for real: a clean filter (as
 * git-lfs installs one) that `git add` must run on one untracked file, and that waits for a gate file.
 * A timing race (a big file to hash) would let a fast machine finish the baseline before the test acts.
 * The agent records each of its starts in a marker file outside the repository.
 */
async function slowWorld(t: TestContext): Promise<World> {
  const repo = await makeGitRepo();
  const root = await makeTempDir('baton-launch-');
  const gate = join(root, 'gate');
  const openGate = () => {
    if (existsSync(root)) writeFileSync(gate, '');
  };
  t.after(openGate);
  t.after(() => Promise.all([rm(repo, { recursive: true, force: true }), rm(root, { recursive: true, force: true })]).then(() => undefined));
  // Bounded, so that a filter orphaned by a killed git gives up by itself.
  const filter = join(root, 'gate-filter.sh');
  writeFileSync(filter, `i=0\nwhile [ ! -e '${gate}' ] && [ $i -lt 1200 ]; do sleep 0.1; i=$((i+1)); done\ncat\n`);
  writeFileSync(join(repo, '.git', 'info', 'attributes'), 'held.txt filter=gate\n');
  await execFileAsync('git', ['-C', repo, 'config', 'filter.gate.clean', `sh '${filter}'`]);
  writeFileSync(join(repo, 'held.txt'), 'held until the gate opens\n');
  const home = join(root, 'home');
  const marker = join(root, 'starts.txt');
  const env = { ...process.env, BATON_HOME: home, NO_COLOR: '1', BATON_HOST_IDLE_MS: '3000' };
  const command = `sh -c 'echo started >> "$1"; echo done' agent ${marker} {prompt}`;
  const runArgs = (dir: string, more: string[] = []) => ['run', '--json', '--runner', 'cmd', '--runner-option', `command=${command}`, '--dir', dir, ...more, 'go'];
  t.after(async () => {
    const list = await runCli(['list', '--json', '--state', 'running,stalled'], env, 30_000);
    for (const run of (list.json ?? []) as { id: string }[]) await runCli(['kill', run.id, '--grace', '1s'], env, 30_000);
  });
  return { repo, home, env, marker, runArgs, openGate };
}

function starts(marker: string): number {
  return existsSync(marker) ? readFileSync(marker, 'utf8').trim().split('\n').length : 0;
}

/** Waits (bounded) until the supervisor host's log has a line matching `pattern`; returns the match. */
async function hostLogSays(home: string, pattern: RegExp, timeoutMs = 120_000): Promise<RegExpExecArray> {
  const log = () => (existsSync(join(home, 'supervisor-host.log')) ? readFileSync(join(home, 'supervisor-host.log'), 'utf8') : '');
  return waitFor(() => pattern.exec(log()), { what: `the host log to say ${pattern}`, timeoutMs, intervalMs: 100 });
}

for (const [mode, extra] of [['the supervisor host', {}], ["a run's own supervisor", { BATON_SUPERVISOR_HOST: '0' }]] as const) {
  test(`a slow baseline under ${mode}: baton run returns before the agent starts, and the agent starts exactly once`, async (t) => {
    const world = await slowWorld(t);
    world.env = { ...world.env, ...extra };
    const run = await runCli(world.runArgs(world.repo), world.env);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.json.state, 'running');
    assert.equal(run.json.pid, null, 'the launch answered once the run was claimed, before the baseline and the agent');
    assert.equal(starts(world.marker), 0);
    world.openGate();
    const waited = await runCli(['wait', run.json.id, '--timeout', '150s', '--json'], world.env, 180_000);
    assert.equal(waited.code, 0, waited.stdout + waited.stderr);
    assert.equal(waited.json.runs[0].state, 'completed', JSON.stringify(waited.json.runs[0].reasons));
    assert.ok(Number.isInteger(waited.json.runs[0].pid));
    assert.equal(starts(world.marker), 1);
    const diff = await runCli(['diff', run.json.id, '--json'], world.env);
    assert.equal(diff.code, 0, 'the baseline was recorded: ' + diff.stderr);
  });
}

test('a kill while the baseline is taken cancels the run: the agent never starts', async (t) => {
  const world = await slowWorld(t);
  const run = await runCli(world.runArgs(world.repo), world.env);
  assert.equal(run.code, 0, run.stderr);
  const killed = await runCli(['kill', run.json.id, '--json', '--grace', '1s'], world.env);
  assert.equal(killed.json.state, 'killed', killed.stdout + killed.stderr);
  // Opened only now: the kill certainly arrived while the baseline was being taken.
  world.openGate();
  await hostLogSays(world.home, new RegExp(`run ${run.json.id} settled`));
  const status = (await runCli(['status', run.json.id, '--json'], world.env)).json;
  assert.equal(status.state, 'killed');
  assert.equal(status.pid, null);
  assert.equal(starts(world.marker), 0, 'the agent never started');
});

test('a launcher that gives up before any supervisor claimed the run: it fails, and nothing ever starts', async (t) => {
  const world = await slowWorld(t);
  const plain = await makeTempDir('baton-launch-plain-');
  t.after(() => rm(plain, { recursive: true, force: true }));
  // A host that outlives the test's idle gap, so that it is still there when continued below.
  const first = await runCli(world.runArgs(plain), { ...world.env, BATON_HOST_IDLE_MS: '120000' });
  assert.equal(first.code, 0, first.stderr);
  const hostPid = Number((await hostLogSays(world.home, /host (\d+) serving/))[1]);
  await runCli(['wait', first.json.id, '--timeout', '60s'], world.env, 90_000);
  // A host that cannot answer in time, for real: stopped until the launcher has given up.
  process.kill(hostPid, 'SIGSTOP');
  t.after(() => {
    for (const signal of ['SIGCONT', 'SIGTERM'] as const) {
      try {
        process.kill(hostPid, signal);
      } catch {
        // Gone already.
      }
    }
  });
  const run = await runCli(world.runArgs(plain), { ...world.env, BATON_LAUNCH_TIMEOUT_MS: '1500' });
  process.kill(hostPid, 'SIGCONT');
  assert.equal(run.code, 1, run.stdout);
  assert.match(run.stderr, /did not answer/);
  const store = openStore(world.home);
  const [id] = store.runs.list({ limit: 1 }).map((r) => r.id);
  store.close();
  assert.notEqual(id, first.json.id);
  await hostLogSays(world.home, new RegExp(`refused run ${id}: `));
  const status = (await runCli(['status', id!, '--json'], world.env)).json;
  assert.equal(status.state, 'failed');
  assert.match(status.reasons[0], /could not start the agent/);
  assert.equal(starts(world.marker), 1, 'only the first run started its agent');
});

test('launchers that start at once in a new home end with one supervisor host', async (t) => {
  const world = await slowWorld(t);
  const plain = await makeTempDir('baton-launch-plain-');
  t.after(() => rm(plain, { recursive: true, force: true }));
  const runs = await Promise.all(Array.from({ length: 5 }, () => runCli(world.runArgs(plain), world.env)));
  for (const run of runs) assert.equal(run.code, 0, run.stderr);
  const store = openStore(world.home);
  t.after(() => store.close());
  const supervisors = new Set(runs.map((run) => store.runs.get(run.json.id as string)!.supervisorPid));
  assert.equal(supervisors.size, 1, `one host supervises every run: ${[...supervisors].join(', ')}`);
  const waited = await runCli(['wait', ...runs.map((r) => r.json.id as string), '--timeout', '60s', '--json'], world.env, 90_000);
  assert.equal(waited.code, 0, waited.stdout);
  assert.equal(starts(world.marker), 5);
});
