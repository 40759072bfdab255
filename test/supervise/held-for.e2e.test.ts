import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Baton } from '../../src/baton.js';
import { startTokenOf } from '../../src/processes/index.js';
import { makeTempDir } from '../mock-model/agent-harness.js';
import { waitFor } from '../wait-for.js';

/**
 * A cluster worker queues its runs on its machine "held for" itself: should the worker die while a
 * run waits for a slot there, nobody would report that run's result, and the lead hands it to another
 * worker. So the run must fail unstarted instead of starting on this machine once a slot frees.
 */
test('a run queued for a process that exits before a slot frees fails unstarted (holder-gone); one whose holder lives starts', async (t) => {
  const root = await makeTempDir('baton-held-for-');
  const home = join(root, 'home');
  const gate = join(root, 'gate');
  // First: lets any agent still held go before the folder goes.
  t.after(() => {
    if (existsSync(root)) writeFileSync(gate, '');
  });
  t.after(() => rm(root, { recursive: true, force: true }));
  const starts = join(root, 'starts.log');
  const script = join(root, 'agent.sh');
  // Notes its start, then holds its slot until the test opens the gate.
  writeFileSync(script, '#!/bin/sh\necho "$1" >> "$STARTS"\nwhile [ ! -e "$GATE" ]; do sleep 0.1; done\n');
  chmodSync(script, 0o755);
  const env = { ...process.env, BATON_HOME: home, NO_COLOR: '1', BATON_MAX_CONCURRENT: '1', STARTS: starts, GATE: gate };
  const baton = new Baton({ home, env });
  t.after(() => baton.close());
  const launch = (prompt: string, heldFor?: { pid: number; startToken: string | null }) =>
    baton.run({ runner: 'cmd', dir: root, prompt, runnerOptions: { command: `${script} {prompt}` }, ...(heldFor && { heldFor }) });

  const blocker = await launch('blocker');
  await waitFor(() => existsSync(starts), { what: 'the blocker to start', timeoutMs: 60_000 });
  const holder = spawn('sleep', ['120'], { stdio: 'ignore' });
  t.after(() => holder.kill('SIGKILL'));
  const orphan = await launch('orphan', { pid: holder.pid!, startToken: startTokenOf(holder.pid!) });
  const kept = await launch('kept', { pid: process.pid, startToken: startTokenOf(process.pid) });
  assert.equal(orphan.state, 'queued');
  assert.equal(kept.state, 'queued');

  holder.kill('SIGKILL');
  const failed = await waitFor(() => {
    const run = baton.resolveRun(orphan.id);
    return run.state !== 'queued' ? run : undefined;
  }, { what: 'the orphaned queued run to end', timeoutMs: 30_000 });
  assert.equal(failed.state, 'failed');
  assert.deepEqual(failed.reasonDetails, [{ kind: 'holder-gone', pid: holder.pid }]);
  assert.equal(failed.pid, null);
  assert.equal(baton.resolveRun(kept.id).state, 'queued', 'a run whose holder lives still waits');

  writeFileSync(gate, '');
  const ended = await waitFor(() => {
    const run = baton.resolveRun(kept.id);
    return run.state === 'completed' ? run : undefined;
  }, { what: 'the kept run to start and complete once the slot frees', timeoutMs: 60_000 });
  assert.ok(Number.isInteger(ended.pid));
  assert.equal(baton.resolveRun(blocker.id).state, 'completed');
  assert.deepEqual(readFileSync(starts, 'utf8').trim().split('\n'), ['blocker', 'kept'], 'the orphaned run never started');
});
