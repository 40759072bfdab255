import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { startCluster, writeAgent } from './harness.js';
import { writeDrafter } from './plan-helpers.js';

test('an idle worker takes new work on the lead\'s nudge, and its next job as soon as a slot frees, not at its next poll', async (t) => {
  const cluster = await startCluster(t);
  const agent = await writeAgent(cluster.scratch, 3_000);
  // Its fallback poll is far beyond the test's bound: only a nudge (or a freed slot) can make it take a job.
  await cluster.startWorker('w1', { env: { BATON_WORKER_POLL_MS: String(30 * 60_000) } });
  const launch = async (file: string) => {
    const launched = await cluster.cli(['run', '--json', '--runner', 'cmd', '--runner-option', `command=${agent.command}`, '--dir', cluster.repo, file]);
    assert.equal(launched.code, 0, launched.stderr);
    return launched.json.id as string;
  };
  // Launched together: the second is added while the one slot is busy with the first.
  const ids = await Promise.all([launch('a.txt'), launch('b.txt')]);
  const waited = await cluster.cli(['wait', '--json', '--timeout', '90s', ...ids], { timeoutMs: 100_000 });
  assert.equal(waited.json.timedOut, false, waited.stdout);
  assert.deepEqual(waited.json.runs.map((r: { state: string }) => r.state), ['completed', 'completed']);
  const traces = (await readFile(agent.trace, 'utf8')).trim().split('\n');
  assert.equal(traces.length, 2);
});

test('a resume reaches the idle worker holding its session on the lead\'s nudge too, not at its next poll', async (t) => {
  const cluster = await startCluster(t);
  const drafter = await writeDrafter(cluster.scratch);
  await cluster.startWorker('w1', { env: { BATON_WORKER_POLL_MS: String(30 * 60_000) } });
  const options = Object.entries(drafter.runnerOptions).flatMap(([key, value]) => ['--runner-option', `${key}=${value}`]);
  const first = await cluster.cli(['run', '--json', '--runner', 'cmd', ...options, '--dir', cluster.repo, 'draft.txt']);
  assert.equal(first.code, 0, first.stderr);
  const ran = await cluster.cli(['wait', '--json', '--timeout', '90s', first.json.id], { timeoutMs: 100_000 });
  assert.equal(ran.json.runs[0].state, 'completed', ran.stdout);
  const resumed = await cluster.cli(['resume', '--json', first.json.id, 'fix the draft']);
  assert.equal(resumed.code, 0, resumed.stderr);
  const waited = await cluster.cli(['wait', '--json', '--timeout', '90s', resumed.json.id], { timeoutMs: 100_000 });
  assert.equal(waited.json.timedOut, false, 'the resume was taken without waiting for the 30 min poll');
  assert.equal(waited.json.runs[0].state, 'completed', waited.stdout);
  const fixed = await cluster.git(cluster.remote, 'show', `refs/baton/runs/${resumed.json.id}/result:draft.txt`);
  assert.match(fixed, /^fixed in ses-/);
});
