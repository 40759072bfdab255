import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { isEntryProcessFor } from '../../src/processes/index.js';
import { waitFor } from '../wait-for.js';

test('isEntryProcessFor: a live process whose command line names the entry script and the id; not another id, script, or a dead pid', async (t) => {
  // A stand-in for `node supervisor-main.js RUN_ID` / `node driver-main.js PLAN_ID`: the same command line shape.
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e6)', 'driver-main.js', 'plan-abc123'], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  t.after(() => child.kill('SIGKILL'));
  const pid = child.pid!;
  await waitFor(() => isEntryProcessFor(pid, 'driver-main.js', 'plan-abc123'), { what: 'the child to show its command line', timeoutMs: 30_000 });
  assert.equal(isEntryProcessFor(pid, 'driver-main.js', 'plan-other'), false, 'a reused pid running another plan');
  assert.equal(isEntryProcessFor(pid, 'supervisor-main', 'plan-abc123'), false, 'another kind of Baton process');
  child.kill('SIGKILL');
  await exited;
  assert.equal(isEntryProcessFor(pid, 'driver-main.js', 'plan-abc123'), false);
});
