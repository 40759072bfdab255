import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isProcessAlive, startTokenOf } from '../../src/processes/index.js';
import { BATON_BIN, runCli } from '../e2e/harness.js';
import { markedProcesses, startCmdAgentSession, until } from './cmd-agent.js';

/** A pid that surely is no process any more: a child that already exited. */
async function deadPid(): Promise<number> {
  const child = spawn('true', { stdio: 'ignore' });
  await new Promise((r) => child.once('exit', r));
  return child.pid!;
}

test('a run whose stored pid now belongs to a stranger: status does not claim it, kill does not touch it', async (t) => {
  const session = await startCmdAgentSession(t);
  const stranger = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
  t.after(() => stranger.kill('SIGKILL'));
  await until(() => startTokenOf(stranger.pid!) !== null, 'the stranger');
  const id = await session.launch('echo hello\necho DONE\n');
  await session.baton.wait([id], { timeoutMs: 60_000 });
  // The pid wrapped around: the finished run's record now points at the stranger, its supervisor gone.
  for (const agentStart of [session.baton.store.runs.get(id)!.agentStart, null]) {
    session.baton.store.runs.update(id, { state: 'running', reasons: [], pid: stranger.pid!, pgid: stranger.pid!, supervisorPid: await deadPid(), agentStart, killRequestedAt: null });
    const status = await runCli(['status', id, '--json'], session.env);
    assert.equal(status.code, 0, status.stderr);
    const run = [status.json].flat()[0] as { state: string; reasons: string[] } | undefined;
    assert.ok(!run!.reasons.some((r) => r.includes('still runs unwatched')), `reasons: ${run!.reasons.join('; ')}`);
    assert.notEqual(run!.state, 'running');
    const kill = await runCli(['kill', id, '--json', '--grace', '1s'], session.env);
    assert.equal(kill.json?.alreadyEnded, true, kill.stdout + kill.stderr);
    assert.equal(kill.json?.signalled, 0);
    assert.equal(isProcessAlive(stranger.pid!), true, 'the stranger survived status and kill');
  }
  // Supervised, with the stranger's pid: kill signals nothing of it either.
  // No supervisor pid yet within the launch window counts as supervised.
  session.baton.store.runs.update(id, { state: 'running', reasons: [], pid: stranger.pid!, pgid: stranger.pid!, supervisorPid: null });
  session.baton.store.runs.db.prepare('UPDATE runs SET created_at = ? WHERE id = ?').run(Date.now(), id);
  await assert.rejects(session.baton.kill(id, 500), /pid \d+ is not proven to be its agent .*nothing was signalled/);
  assert.equal(isProcessAlive(stranger.pid!), true, 'the stranger survived a kill of a live-looking run');
  assert.equal(session.baton.store.runs.get(id)!.state, 'running', 'no kill is claimed that did not happen');
  const cli = await runCli(['kill', id, '--grace', '1s'], session.env);
  assert.notEqual(cli.code, 0);
  assert.match(cli.stderr, /not proven/);
  assert.equal(isProcessAlive(stranger.pid!), true);
});

// The second sleep ends up in a session of its own with init as its parent: neither its group nor its
// ancestry leads back to the agent, only its environment does.
const ESCAPING_AGENT = `
setsid sleep 1000 &
(setsid sh -c 'sleep 1001 & exit 0' &)
trap '' TERM
echo started
sleep 1002
`;

test('kill ends descendants that escaped the group by setsid and double fork, and reports no survivor', async (t) => {
  const session = await startCmdAgentSession(t);
  const id = await session.launch(ESCAPING_AGENT);
  await until(() => markedProcesses(id).length >= 4, 'the agent and its escaped children');
  const kill = await runCli(['kill', id, '--json', '--grace', '1s'], session.env);
  assert.equal(kill.code, 0, kill.stdout + kill.stderr);
  assert.deepEqual(kill.json.survivors, []);
  assert.equal(kill.json.state, 'killed');
  assert.ok(kill.json.signalled >= 4, `signalled ${kill.json.signalled}`);
  assert.deepEqual(markedProcesses(id), [], 'no process with the run marker remains');
});

test('--timeout ends escaped descendants too', async (t) => {
  const session = await startCmdAgentSession(t);
  const id = await session.launch(ESCAPING_AGENT, { timeoutMs: 3_000 });
  await until(() => markedProcesses(id).length >= 4, 'the agent and its escaped children');
  const { runs } = await session.baton.wait([id], { timeoutMs: 60_000 });
  assert.equal(runs[0]!.state, 'failed');
  assert.match(runs[0]!.reasons.join(' '), /timed out/);
  await until(() => markedProcesses(id).length === 0, 'no marked process left after the timeout', 10_000);
});

for (const supervisorDies of [false, true]) {
  test(`baton kill killed during its grace${supervisorDies ? ', its supervisor too' : ''}: an agent that then exits 0 is judged on its work, not "killed"`, async (t) => {
    const session = await startCmdAgentSession(t);
    const go = join(session.repo, 'go');
    const id = await session.launch(`trap '' TERM\necho started\nwhile [ ! -e ${go} ]; do sleep 0.1; done\necho DONE\n`);
    await until(() => markedProcesses(id).length >= 1 && session.baton.store.runs.get(id)!.outputLines >= 1, 'the agent to start');
    const killer = spawn(process.execPath, [BATON_BIN, 'kill', id, '--grace', '60s'], { env: session.env, stdio: 'ignore' });
    await until(() => session.baton.store.runs.get(id)!.killRequestedAt !== null, 'baton kill to ask');
    // Let it deliver SIGTERM (ignored), then kill it mid-grace.
    await until(() => !isProcessAlive(killer.pid!) || Date.now() - session.baton.store.runs.get(id)!.killRequestedAt! > 500, 'the grace to begin');
    assert.equal(isProcessAlive(killer.pid!), true, 'baton kill was still in its grace');
    killer.kill('SIGKILL');
    await new Promise((r) => killer.once('exit', r));
    if (supervisorDies) process.kill(session.baton.store.runs.get(id)!.supervisorPid!, 'SIGKILL');
    writeFileSync(go, '');
    const { runs } = await session.baton.wait([id], { timeoutMs: 60_000 });
    assert.equal(runs[0]!.state, 'completed', runs[0]!.reasons.join('; '));
  });
}

test('an absurd ref is a usage error; id prefixes are case-sensitive', async (t) => {
  const session = await startCmdAgentSession(t);
  const id = await session.launch('echo DONE\n');
  await session.baton.wait([id], { timeoutMs: 60_000 });
  const long = await runCli(['status', 'a'.repeat(60_000)], session.env);
  assert.equal(long.code, 2, long.stderr);
  assert.equal(session.baton.resolveRun(id.slice(0, 4)).id, id);
  assert.throws(() => session.baton.resolveRun(id.slice(0, 4).toUpperCase()), /no run/);
});

test('with its supervisor dead, kill still ends the unwatched agent and its escaped descendants', async (t) => {
  const session = await startCmdAgentSession(t);
  const id = await session.launch(ESCAPING_AGENT);
  await until(() => markedProcesses(id).length >= 4, 'the agent and its escaped children');
  const supervisorPid = session.baton.store.runs.get(id)!.supervisorPid!;
  process.kill(supervisorPid, 'SIGKILL');
  await until(() => !isProcessAlive(supervisorPid), 'the supervisor to die');
  const status = await runCli(['status', id, '--json'], session.env);
  assert.match(JSON.stringify(status.json), /still runs unwatched/);
  const kill = await runCli(['kill', id, '--json', '--grace', '1s'], session.env);
  assert.equal(kill.code, 0, kill.stdout + kill.stderr);
  assert.deepEqual(kill.json.survivors, []);
  assert.equal(kill.json.state, 'killed');
  assert.deepEqual(markedProcesses(id), [], 'no process with the run marker remains');
});
