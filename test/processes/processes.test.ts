import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { waitFor } from '../wait-for.js';
import { agentIdentity, isGroupAlive, isProcessAlive, processFacts, RUN_MARKER, runProcesses, startTokenOf, terminateRun } from '../../src/processes/index.js';

const until = (check: () => boolean, what: string, timeoutMs = 15_000) => waitFor(check, { what, timeoutMs });

/** A stranger: a live process that belongs to no run. */
function spawnStranger() {
  const child = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
  return child;
}

// Every test runs once per implementation: the Linux /proc one and the portable ps one, forced.
for (const kind of ['proc', 'ps'] as const) {
  const withKind = async (body: () => Promise<void>) => {
    const before = process.env.BATON_PROCESS_FACTS;
    process.env.BATON_PROCESS_FACTS = kind;
    try {
      assert.equal(processFacts().kind, kind);
      await body();
    } finally {
      if (before === undefined) delete process.env.BATON_PROCESS_FACTS;
      else process.env.BATON_PROCESS_FACTS = before;
    }
  };

  test(`${kind}: facts about a process: row, start token, command line, environment marker`, () =>
    withKind(async () => {
      const runId = `facts${kind}${process.pid}`;
      const child = spawn('sleep', ['300'], { detached: true, stdio: 'ignore', env: { ...process.env, [RUN_MARKER]: runId } });
      const other = spawnStranger();
      try {
        const facts = processFacts();
        await until(() => facts.hasEnv(child.pid!, RUN_MARKER, runId) === true, 'the marker after exec');
        const row = facts.row(child.pid!);
        assert.deepEqual(row, { pid: child.pid, ppid: process.pid, pgid: child.pid, zombie: false });
        assert.ok(facts.table().some((p) => p.pid === process.pid && p.ppid === process.ppid));
        assert.match(facts.commandLine(child.pid!) ?? '', /sleep 300/);
        const token = facts.startToken(child.pid!);
        assert.ok(token?.startsWith(`${kind}:`), String(token));
        assert.equal(facts.startToken(child.pid!), token, 'a start token is stable');
        assert.notEqual(facts.startToken(1), token, 'another process has another start token');
        assert.deepEqual(facts.withEnv(RUN_MARKER, runId), [child.pid]);
        assert.equal(facts.hasEnv(other.pid!, RUN_MARKER, runId), false);
        assert.equal(facts.hasEnv(child.pid!, RUN_MARKER, `${runId}x`), false, 'a longer value is another marker');
      } finally {
        child.kill('SIGKILL');
        other.kill('SIGKILL');
      }
    }));

  test(`${kind}: a pid held by a stranger is not the run's: nothing found, nothing signalled`, () =>
    withKind(async () => {
      const stranger = spawnStranger();
      try {
        await until(() => processFacts().row(stranger.pid!) !== undefined, 'the stranger');
        // The record's start token is of another process (the run's agent, long gone).
        const ref = { runId: `gone${kind}`, pid: stranger.pid!, pgid: stranger.pid!, agentStart: startTokenOf(process.pid) };
        assert.equal(agentIdentity(ref), 'other');
        assert.deepEqual(runProcesses(ref), { pids: [], pgid: null });
        const result = await terminateRun(ref, 300);
        assert.deepEqual(result.survivors, []);
        assert.equal(result.signalled, 0);
        assert.equal(isProcessAlive(stranger.pid!), true, 'the stranger still runs');
        // The same pid with its own start token is proven.
        assert.equal(agentIdentity({ ...ref, agentStart: startTokenOf(stranger.pid!) }), 'same');
      } finally {
        stranger.kill('SIGKILL');
      }
    }));

  test(`${kind}: terminateRun ends the group, a TERM-trapping child and descendants that escaped by setsid and double fork`, () =>
    withKind(async () => {
      const runId = `escape${kind}${process.pid}`;
      const script = `
        sleep 300 &
        sh -c 'trap "" TERM; sleep 300' &
        setsid sleep 301 &
        (setsid sh -c 'sleep 302 & exit 0' &) 
        wait`;
      const leader = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore', env: { ...process.env, [RUN_MARKER]: runId } });
      const agentStart = startTokenOf(leader.pid!);
      const ref = { runId, pid: leader.pid!, pgid: leader.pid!, agentStart };
      const stranger = spawnStranger();
      try {
        // Forks carry the marker and the group before they exec or call setsid: wait for both escapes.
        const escapes = () => processFacts().table().filter((p) => p.pgid !== leader.pid && !p.zombie && processFacts().hasEnv(p.pid, RUN_MARKER, runId) && /sleep 30[12]/.test(processFacts().commandLine(p.pid) ?? ''));
        await until(() => escapes().length >= 2, 'the two sleeps that escaped the group');
        const escaped = escapes();
        const found = runProcesses(ref);
        assert.equal(found.pgid, leader.pid);
        for (const p of escaped) assert.ok(found.pids.includes(p.pid), `escaped ${p.pid} found`);
        const result = await terminateRun(ref, 500);
        assert.equal(result.forced, true, 'the TERM-trapping child needs SIGKILL');
        assert.deepEqual(result.survivors, []);
        await until(() => processFacts().withEnv(RUN_MARKER, runId).every((pid) => !isProcessAlive(pid)), 'no marked process left');
        assert.equal(isGroupAlive(leader.pid!), false);
        assert.equal(isProcessAlive(stranger.pid!), true, 'nothing else was touched');
      } finally {
        stranger.kill('SIGKILL');
        for (const pid of processFacts().withEnv(RUN_MARKER, runId)) process.kill(pid, 'SIGKILL');
      }
    }));

  test(`${kind}: a group that exits on SIGTERM is not SIGKILLed`, () =>
    withKind(async () => {
      const runId = `term${kind}${process.pid}`;
      const child = spawn('sleep', ['300'], { detached: true, stdio: 'ignore', env: { ...process.env, [RUN_MARKER]: runId } });
      await until(() => processFacts().row(child.pid!) !== undefined, 'the child');
      const result = await terminateRun({ runId, pid: child.pid!, pgid: child.pid!, agentStart: startTokenOf(child.pid!) }, 10_000);
      assert.equal(result.forced, false);
      assert.deepEqual(result.survivors, []);
    }));
}
