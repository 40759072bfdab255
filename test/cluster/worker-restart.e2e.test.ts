import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStore } from '../../src/store/index.js';
import type { RunRecord } from '../../src/store/runs.js';
import { startCluster, writeAgent } from './harness.js';
import { waitFor } from '../wait-for.js';

/**
 * A worker restarted under its name before the lead judged it lost (a crash and a supervisor such as
 * systemd bringing it back) still owes the lead the runs it had claimed: nothing may wait for ever.
 */
test('a worker SIGKILLed and restarted under its name within its bound: a run that ended while it was away is reported with its result; one that waited in its machine\'s queue starts there, once', async (t) => {
  const cluster = await startCluster(t);
  const gate = join(cluster.scratch, 'gate');
  t.after(() => writeFile(gate, '').catch(() => undefined));
  // Writes its file only once the test opens the gate: it ends while its worker is down.
  const gated = join(cluster.scratch, 'gated.mjs');
  await writeFile(
    gated,
    `import { existsSync, writeFileSync } from 'node:fs';
while (!existsSync(${JSON.stringify(gate)})) await new Promise((r) => setTimeout(r, 100));
writeFileSync(process.argv[2], 'written while the worker was down\\n');
console.log('done');
`,
  );
  const short = await writeAgent(cluster.scratch, 300);
  const home = join(cluster.scratch, 'worker-phoenix');
  await mkdir(home, { recursive: true });
  await writeFile(join(home, 'config.json'), JSON.stringify({ maxConcurrent: 1 }));
  // A bound far beyond the test: the lead never judges it lost, so only the worker itself can settle its runs.
  const options = { slots: 2, env: { BATON_WORKER_LOST_MS: '120000' } };
  const first = await cluster.startWorker('phoenix', options);
  const launch = async (command: string, file: string) => {
    const launched = await cluster.cli(['run', '--json', '--runner', 'cmd', '--runner-option', `command=${command}`, '--dir', cluster.repo, file]);
    assert.equal(launched.code, 0, launched.stderr);
    return launched.json.id as string;
  };
  const localRun = (runId: string): RunRecord | undefined => {
    const store = openStore(home);
    try {
      return store.runs.list({ limit: 100 }).find((run) => run.name === `cluster:${runId}`);
    } finally {
      store.close();
    }
  };

  const ended = await launch(`${process.execPath} ${gated} {prompt}`, 'away.txt');
  await waitFor(() => localRun(ended)?.pid, { what: 'the gated agent to start on the worker', timeoutMs: 30_000 });
  const waiting = await launch(short.command, 'waiting.txt');
  await waitFor(() => localRun(waiting)?.state === 'queued', { what: "the second run to wait in the worker's machine queue", timeoutMs: 30_000 });

  first.child.kill('SIGKILL');
  await writeFile(gate, '');
  await waitFor(() => localRun(ended)?.state === 'completed', { what: 'the gated agent to end under its supervisor while its worker is down', timeoutMs: 30_000 });
  assert.equal(localRun(waiting)?.pid, null, 'the waiting run did not start while its worker was down');

  const back = await cluster.startWorker('phoenix', options);
  const waited = await cluster.cli(['wait', '--json', '--timeout', '45s', ended, waiting], { timeoutMs: 55_000 });
  assert.equal(waited.code, 0, waited.stdout + waited.stderr);
  const [reported, started] = waited.json.runs as { state: string; worker: { name: string } }[];
  assert.equal(reported!.state, 'completed', JSON.stringify(reported));
  assert.equal(started!.state, 'completed', JSON.stringify(started));
  assert.match(back.log(), new RegExp(`run ${ended}: ended \\(completed\\) while this worker was away: reporting it`));
  assert.match(back.log(), new RegExp(`run ${waiting}: claimed before this worker restarted but never started here: starting it now`));

  // The result of the run that ended while its worker was down was pushed: the lead's diff shows it.
  const diffed = await cluster.cli(['diff', '--json', ended]);
  assert.equal(diffed.code, 0, diffed.stderr);
  assert.deepEqual(diffed.json.changes, [{ path: 'away.txt', change: 'added' }]);
  const traces = (await readFile(short.trace, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { file: string; home: string });
  assert.deepEqual(traces.filter((trace) => trace.file === 'waiting.txt').map((trace) => trace.home), [home], 'the waiting run ran once, on its worker');
});
