import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { isGroupAlive, isProcessAlive, killProcessGroup, processesOfGroup } from '../../src/supervise/process-group.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('kills a whole tree, including a child that ignores SIGTERM and one that left the group', async () => {
  // A leader with three descendants: a plain sleeper, one trapping TERM, and one in its own session.
  const script = `
    sleep 300 &
    sh -c 'trap "" TERM; sleep 300' &
    setsid sleep 300 &
    wait`;
  const child = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
  const pgid = child.pid!;
  await sleep(300);
  const before = processesOfGroup(pgid);
  assert.ok(before.length >= 4, `expected the leader and its children, saw ${before.length}`);
  const result = await killProcessGroup(pgid, 500);
  assert.equal(result.forced, true, 'the TERM-trapping child needs SIGKILL');
  assert.deepEqual(result.survivors, []);
  assert.equal(isGroupAlive(pgid), false);
  for (const pid of before) assert.equal(isProcessAlive(pid), false, `pid ${pid} survived`);
});

test('a group that exits on SIGTERM is not SIGKILLed', async () => {
  const child = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
  await sleep(100);
  const result = await killProcessGroup(child.pid!, 3_000);
  assert.equal(result.forced, false);
  assert.deepEqual(result.survivors, []);
});
