import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { processFacts } from '../../src/processes/index.js';
import { runCli } from '../e2e/harness.js';
import { makeTempDir } from '../mock-model/agent-harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

interface World {
  root: string;
  /** Created to let the agents go on past their start. */
  gate: string;
  env: NodeJS.ProcessEnv;
  events: string;
  /** The cmd runner's options for an agent that notes its start and end and lasts `seconds`. */
  agent(seconds: number): string[];
}

async function world(t: TestContext, cap: number): Promise<World> {
  const root = await makeTempDir('baton-queue-');
  t.after(() => rm(root, { recursive: true, force: true }));
  const home = join(root, 'home');
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const events = join(root, 'events.log');
  const script = join(root, 'agent.sh');
  // Notes when it starts and ends (ms), so the test sees each agent's life without asking Baton; holds
  // until the test opens the gate, so that a slow launch on a busy machine cannot let an agent end early.
  writeFileSync(
    script,
    '#!/bin/sh\necho "start $1 $(date +%s%3N)" >> "$EVENTS"\nwhile [ ! -e "$GATE" ]; do sleep 0.1; done\nsleep "$2"\necho "end $1 $(date +%s%3N)" >> "$EVENTS"\n',
  );
  chmodSync(script, 0o755);
  const gate = join(root, 'gate');
  const env = { ...process.env, BATON_HOME: home, NO_COLOR: '1', BATON_MAX_CONCURRENT: String(cap), EVENTS: events, GATE: gate, BATON_QUEUE_TEST: root };
  return { root, gate, env, events, agent: (seconds) => ['--runner', 'cmd', '--runner-option', `command=${script} {prompt} ${seconds}`, '--dir', root] };
}

function readEvents(path: string): { kind: 'start' | 'end'; name: string; at: number }[] {
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [kind, name, at] = line.split(' ');
      return { kind: kind as 'start' | 'end', name: name!, at: Number(at) };
    });
}

/** Process groups of this test's agents alive now, from the process table (the launchers and the supervisor host share the marker but run node). */
function agentGroups(marker: string): number {
  const facts = processFacts();
  const agents = facts.withEnv('BATON_QUEUE_TEST', marker).filter((pid) => !/node/.test(facts.commandLine(pid) ?? 'node'));
  return new Set(agents.map((pid) => facts.row(pid)?.pgid).filter((g) => g !== undefined)).size;
}

test('12 runs with a cap of 3: never more than 3 agents alive, queued runs start in order as slots free, with no Baton command running', async (t) => {
  const w = await world(t, 3);
  const names = Array.from({ length: 12 }, (_, i) => `r${String(i).padStart(2, '0')}`);
  const launched: { id: string; state: string; pid: number | null }[] = [];
  for (const name of names) {
    const run = await runCli(['run', '--json', ...w.agent(3), name], w.env);
    assert.equal(run.code, 0, run.stderr);
    launched.push(run.json);
  }
  // The launches return at once; the three first hold the slots, the nine others say they are queued.
  assert.deepEqual(launched.map((r) => r.state), [...Array(3).fill('running'), ...Array(9).fill('queued')]);
  assert.ok(launched.slice(3).every((r) => r.pid === null));
  const status = (await runCli(['status', launched[11]!.id, '--json'], w.env)).json;
  assert.equal(status.state, 'queued');
  assert.ok(status.queuePosition >= 1, JSON.stringify(status));
  assert.match(status.reasons[0], /agents running \(maxConcurrent\)/);

  // From here on no Baton command runs until every agent has ended: only the supervisors start them.
  writeFileSync(w.gate, '');
  let most = 0;
  await until('all 12 agents to end', () => {
    most = Math.max(most, agentGroups(w.root));
    return readEvents(w.events).filter((e) => e.kind === 'end').length === 12;
  });
  assert.ok(most <= 3, `at most 3 agents alive at once in the process table (saw ${most})`);
  const events = readEvents(w.events);
  let alive = 0;
  let peak = 0;
  for (const event of [...events].sort((a, b) => a.at - b.at || (a.kind === 'end' ? -1 : 1))) {
    alive += event.kind === 'start' ? 1 : -1;
    peak = Math.max(peak, alive);
  }
  assert.ok(peak <= 3, `the agents' own start and end notes never overlap more than 3 (${peak})`);
  // Runs leave the queue in launch order (their agents may then spawn a few ms apart in either order).
  const home = w.env.BATON_HOME!;
  const leftQueue = launched.slice(3).map((run) => {
    const log = readFileSync(join(home, 'runs', run.id, 'supervisor.log'), 'utf8');
    return Date.parse(/left the queue at (\S+)/.exec(log)![1]!);
  });
  assert.deepEqual(leftQueue, [...leftQueue].sort((a, b) => a - b), 'queued runs left the queue in the order they were launched');
  assert.deepEqual(new Set(events.filter((e) => e.kind === 'start').map((e) => e.name)), new Set(names), 'every agent started once');
  // Each queued start follows an end closely: the freed slot is taken by polling, not by a later command.
  const ends = events.filter((e) => e.kind === 'end').map((e) => e.at);
  const last = events.filter((e) => e.kind === 'start').at(-1)!;
  const freedBy = Math.max(...ends.filter((at) => at <= last.at));
  assert.ok(last.at - freedBy < 5_000, `the last run started ${last.at - freedBy} ms after a slot freed`);

  const waited = await runCli(['wait', ...launched.map((r) => r.id), '--json', '--timeout', '60s'], w.env);
  assert.equal(waited.code, 0, waited.stdout);
});

test('a queued run killed before it starts ends killed and its agent never runs; status and list know the state', async (t) => {
  const w = await world(t, 1);
  const first = (await runCli(['run', '--json', ...w.agent(1), 'holder'], w.env)).json;
  const queued = (await runCli(['run', '--json', ...w.agent(1), 'waiter'], w.env)).json;
  assert.equal(queued.state, 'queued');
  assert.equal(queued.pid, null);
  const listed = (await runCli(['list', '--state', 'queued', '--json'], w.env)).json;
  assert.deepEqual(listed.map((r: { id: string }) => r.id), [queued.id]);
  const killed = await runCli(['kill', queued.id, '--json'], w.env);
  assert.equal(killed.code, 0, killed.stderr);
  const status = (await runCli(['status', queued.id, '--json'], w.env)).json;
  assert.equal(status.state, 'killed');
  assert.match(status.reasons[0], /while queued; the agent never started/);
  writeFileSync(w.gate, '');
  await runCli(['wait', first.id, '--timeout', '60s'], w.env);
  await sleep(1_000);
  assert.ok(!readEvents(w.events).some((e) => e.name === 'waiter'), 'the killed run never started its agent');
});

test('baton config shows the cap and where it came from; a broken config.json is a usage error before anything is recorded', async (t) => {
  const w = await world(t, 2);
  const fromEnv = (await runCli(['config', '--json'], w.env)).json;
  assert.equal(fromEnv.maxConcurrent.value, 2);
  assert.equal(fromEnv.maxConcurrent.source, 'environment');
  const { BATON_MAX_CONCURRENT: _drop, ...noCap } = w.env;
  const machine = (await runCli(['config', '--json'], noCap)).json;
  assert.equal(machine.maxConcurrent.source, 'machine');
  assert.ok(machine.maxConcurrent.value >= 1);
  writeFileSync(machine.path, '{"maxConcurrent": 5}');
  const fromFile = (await runCli(['config', '--json'], noCap)).json;
  assert.deepEqual([fromFile.maxConcurrent.value, fromFile.maxConcurrent.source], [5, 'config file']);
  writeFileSync(machine.path, '{"maxConcurent": 5}');
  const broken = await runCli(['run', '--json', ...w.agent(1), 'x'], noCap);
  assert.equal(broken.code, 2);
  assert.match(broken.stderr, /unknown key "maxConcurent"; keys: maxConcurrent, minFreeMemoryMb/);
  assert.deepEqual((await runCli(['list', '--json'], noCap)).json, []);
});

test('a usage limit holds queued and new runs of the same runner until it lifts; --ignore-limit-breaker starts one anyway', async (t) => {
  const w = await world(t, 5);
  writeFileSync(w.gate, '');
  const limitedScript = join(w.root, 'limited.sh');
  writeFileSync(limitedScript, '#!/bin/sh\necho "Error: rate limit reached (HTTP 429), try again in 20 seconds"\nexit 1\n');
  chmodSync(limitedScript, 0o755);
  const limitedArgs = ['--runner', 'cmd', '--runner-option', `command=${limitedScript} {prompt}`, '--runner-option', 'error=^Error:', '--dir', w.root];
  const limited = (await runCli(['run', '--json', ...limitedArgs, 'hit the limit'], w.env)).json;
  const ended = (await runCli(['wait', limited.id, '--json', '--timeout', '60s'], w.env)).json;
  assert.equal(ended.runs[0].state, 'limited', JSON.stringify(ended.runs[0].reasons));
  const config = (await runCli(['config', '--json'], w.env)).json;
  assert.deepEqual(config.limitBreakers.map((b: { runId: string }) => b.runId), [limited.id]);

  const held = (await runCli(['run', '--json', ...w.agent(0), 'held'], w.env)).json;
  assert.equal(held.state, 'queued', 'a slot is free, but the limit of its runner holds it');
  const status = (await runCli(['status', held.id, '--json'], w.env)).json;
  assert.match(status.reasons[0], new RegExp(`run ${limited.id} hit a usage limit of cmd that lifts at`));
  const forced = (await runCli(['run', '--json', '--ignore-limit-breaker', ...w.agent(0), 'forced'], w.env)).json;
  assert.equal(forced.state, 'running');
  // Nothing but the held run's supervisor is asked: it starts once the limit lifts.
  await until('the held run to start after the reset', () => readEvents(w.events).some((e) => e.kind === 'start' && e.name === 'held'), 60_000);
  const heldStart = readEvents(w.events).find((e) => e.name === 'held')!.at;
  assert.ok(heldStart >= Date.parse(config.limitBreakers[0].resetAt), 'not before the reset');
  const waited = await runCli(['wait', held.id, forced.id, '--json', '--timeout', '60s'], w.env);
  assert.equal(waited.code, 0, waited.stdout);
});
