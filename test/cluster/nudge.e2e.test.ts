import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { startCluster, writeAgent } from './harness.js';

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
