import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { BATON_BIN } from '../e2e/harness.js';
import { waitFor } from '../wait-for.js';
import { startCluster, writeTalker, type TestCluster } from './harness.js';

async function launch(cluster: TestCluster, runnerOptions: string[], prompt: string): Promise<string> {
  const launched = await cluster.cli(['run', '--json', '--runner', 'cmd', ...runnerOptions, '--dir', cluster.repo, prompt]);
  assert.equal(launched.code, 0, launched.stderr);
  return launched.json.id as string;
}

async function status(cluster: TestCluster, id: string): Promise<{ state: string; pid: number | null; worker: { name: string } | null; sessionId: string | null }> {
  return (await cluster.cli(['status', '--json', id])).json;
}

/** `baton tail -f` on the lead as its own process: what it printed so far, and its exit. */
function follow(cluster: TestCluster, id: string) {
  const child = spawn(process.execPath, [BATON_BIN, 'tail', '-f', '-n', '1000', id], { env: cluster.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const bounded = setTimeout(() => child.kill('SIGKILL'), 60_000);
  void exited.then(() => clearTimeout(bounded));
  return { child, exited, out: () => stdout, err: () => stderr };
}

test('tail and tail -f of a running cluster run from the lead: lines arrive while it runs, and the follow ends with the run', async (t) => {
  const cluster = await startCluster(t);
  const talker = await writeTalker(cluster.scratch, 12, 400);
  await cluster.startWorker('w1');
  const id = await launch(cluster, talker.runnerOptions, 'talk');
  await waitFor(async () => (await status(cluster, id)).pid !== null, { what: 'the run to start on the worker', timeoutMs: 30_000 });
  const tailed = await waitFor(async () => {
    const result = await cluster.cli(['tail', '--json', id]);
    assert.equal(result.code, 0, result.stderr);
    return (result.json.lines as string[]).includes('talk line 0') ? result.json : undefined;
  }, { what: 'the worker to answer a tail with the first line', timeoutMs: 20_000 });
  assert.equal(tailed.id, id);
  assert.match(tailed.lines[0], /^session: ses-/);
  const bounded = await cluster.cli(['tail', '--json', '-n', '1', id]);
  assert.equal(bounded.json.lines.length, 1, 'the worker honours the line count');

  const followed = follow(cluster, id);
  // Streamed, not replayed at the end: a line the agent writes later reaches the lead while the run still runs.
  const seenLine = await waitFor(() => /talk line (\d+)\n/.exec(followed.out())?.[1], { what: 'a line through tail -f', timeoutMs: 30_000 });
  const later = Number(seenLine) + 2;
  if (later < 12) {
    await waitFor(() => followed.out().includes(`talk line ${later}\n`), { what: `line ${later} through tail -f`, timeoutMs: 30_000 });
    assert.equal((await status(cluster, id)).state, 'running', 'lines arrive while the run runs');
  }
  assert.equal(await followed.exited, 0, followed.err());
  const lines = followed.out().trim().split('\n');
  assert.deepEqual(lines.filter((l) => l.startsWith('talk line')), Array.from({ length: 12 }, (_, i) => `talk line ${i}`), 'every line once, in order');
  assert.match(followed.err(), new RegExp(`run ${id} completed`));

  // Ended: tail still reads the worker's log; export asks the worker (whose cmd runner has no export).
  const after = await cluster.cli(['tail', '--json', '-n', '2', id]);
  assert.deepEqual(after.json.lines, ['talk line 10', 'talk line 11']);
  const exported = await cluster.cli(['export', id]);
  assert.equal(exported.code, 1);
  assert.match(exported.stderr, /on worker w1: the cmd runner has no session export/);
});
