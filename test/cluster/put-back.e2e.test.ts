import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { startCluster, writeAgent } from './harness.js';
import { waitFor } from '../wait-for.js';
import { isProcessAlive } from '../../src/processes/index.js';
import { openStore } from '../../src/store/index.js';

interface Trace {
  home: string;
  file: string;
}

test('a run waiting in a lost worker\'s own run queue goes back to the cluster queue and runs once on another worker, never on the lost one\'s machine', async (t) => {
  const cluster = await startCluster(t);
  // The orphaned long agent outlives its worker and holds the machine's one slot until the test lets it go.
  const gate = join(cluster.scratch, 'long-gate');
  const long = `sh -c 'while [ ! -e "$0" ]; do sleep 0.1; done' ${gate} {prompt}`;
  t.after(() => writeFile(gate, '').catch(() => undefined));
  const short = await writeAgent(cluster.scratch, 500);
  // Two cluster slots but a machine-wide cap of one: the second run it takes waits in its local queue.
  const crowdedHome = join(cluster.scratch, 'worker-crowded');
  await mkdir(crowdedHome, { recursive: true });
  await writeFile(join(crowdedHome, 'config.json'), JSON.stringify({ maxConcurrent: 1 }));
  const crowded = await cluster.startWorker('crowded', { slots: 2 });
  const launch = async (command: string, file: string) => {
    const launched = await cluster.cli(['run', '--json', '--runner', 'cmd', '--runner-option', `command=${command}`, '--dir', cluster.repo, file]);
    assert.equal(launched.code, 0, launched.stderr);
    return launched.json.id as string;
  };
  const status = async (id: string) => (await cluster.cli(['status', '--json', id])).json;

  const first = await launch(long, 'long.txt');
  const running = await waitFor(async () => {
    const now = await status(first);
    return now.state === 'running' && now.pid !== null ? now : undefined;
  }, { what: 'the long run to start on the crowded worker', timeoutMs: 30_000 });
  const waiting = await launch(short.command, 'waiting.txt');
  // Taken by the crowded worker, and published as waiting there, not as started.
  await waitFor(async () => {
    const now = await status(waiting);
    return now.state === 'queued' && now.worker?.name === 'crowded';
  }, { what: 'the second run to be claimed by the crowded worker and wait in its local queue', timeoutMs: 30_000 });
  await waitFor(() => crowded.log().includes(`run ${waiting}: started as local run`), { what: 'the local run to exist', timeoutMs: 10_000 });

  const spare = await cluster.startWorker('spare');
  crowded.child.kill('SIGKILL');
  const waited = await cluster.cli(['wait', '--json', '--timeout', '40s', first, waiting], { timeoutMs: 50_000 });
  const [lost, moved] = waited.json.runs as { state: string; reasons: string[]; worker: { name: string } }[];
  assert.equal(lost!.state, 'failed', 'the run that had started is given up');
  assert.match(lost!.reasons[0]!, /^worker crowded on \S+ stopped heartbeating/);
  assert.equal(moved!.state, 'completed', `the waiting run went back to the queue: ${JSON.stringify(moved)}`);
  assert.equal(moved!.worker.name, 'spare');

  // The crowded machine's slot frees (its supervisor outlived the worker): the run queued there for the dead worker must not start.
  const localWaiting = () => {
    const store = openStore(crowdedHome);
    try {
      return store.runs.list({ limit: 100 }).find((run) => run.name === `cluster:${waiting}`);
    } finally {
      store.close();
    }
  };
  await writeFile(gate, '');
  await waitFor(() => !isProcessAlive(running.pid), { what: 'the orphaned long agent to end', timeoutMs: 20_000 });
  await waitFor(() => {
    const store = openStore(crowdedHome);
    try {
      return store.runs.list({ limit: 100 }).find((run) => run.name === `cluster:${first}` && run.state !== 'running');
    } finally {
      store.close();
    }
  }, { what: "the crowded machine's supervisor to see its slot free", timeoutMs: 20_000 });
  const unstarted = localWaiting();
  assert.equal(unstarted?.state, 'failed', JSON.stringify(unstarted));
  assert.equal(unstarted?.reasonDetails[0]?.kind, 'holder-gone');
  assert.equal(unstarted?.pid, null, 'the waiting run never started on the lost worker\'s machine');

  // The crowded worker comes back: nothing of its earlier life is started again.
  const back = await cluster.startWorker('crowded', { slots: 2 });
  await waitFor(() => back.log().includes('worker crowded: settled 1 run(s) left from before it restarted'), { what: 'the returning worker to settle its earlier life', timeoutMs: 20_000 });
  const traces = (await readFile(short.trace, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as Trace);
  const ranWaiting = traces.filter((trace) => trace.file === 'waiting.txt');
  assert.equal(ranWaiting.length, 1, 'the waiting run executed exactly once');
  assert.equal(ranWaiting[0]!.home, spare.home);
  assert.equal((await status(waiting)).state, 'completed', 'the returning worker does not touch the moved run');
  assert.doesNotMatch(back.log(), new RegExp(`run (${waiting}|${first}): (adopted|claimed before)`));
});
