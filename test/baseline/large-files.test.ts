import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { diffSinceBaseline, takeBaseline } from '../../src/baseline/index.js';
import { LARGE_FILE_BYTES } from '../../src/baseline/large-files.js';
import { makeGitRepo, makeTempDir } from '../mock-model/agent-harness.js';
import { runCli } from '../e2e/harness.js';
import { startCmdAgentSession } from '../processes/cmd-agent.js';

const SPARSE_BYTES = 1.5 * 1024 ** 3;

/** Every file under the repo's object store with its size: what "nothing written into .git" compares. */
function objectStoreListing(repo: string): string[] {
  const root = join(repo, '.git', 'objects');
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.push(`${relative(root, full)} ${statSync(full).size}`);
    }
  };
  walk(root);
  return out.sort();
}

function countObjects(repo: string): string {
  return execFileSync('git', ['count-objects', '-v'], { cwd: repo, encoding: 'utf8' });
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await work();
  return [result, performance.now() - started];
}

test('a 1.5 GB untracked file: the baseline skips it in about the time of a small repo, says so, writes nothing into .git, and still sees it change', async (t) => {
  const repo = await makeGitRepo();
  const home = await makeTempDir('baton-home-');
  t.after(() => Promise.all([rm(repo, { recursive: true, force: true }), rm(home, { recursive: true, force: true })]));
  writeFileSync(join(repo, 'small.txt'), 'untracked but small\n');

  // The small repo, measured in this same test: the median of three.
  const smallTimes: number[] = [];
  for (let i = 0; i < 3; i++) smallTimes.push((await timed(() => takeBaseline(repo, join(home, `small-${i}`))))[1]);
  const smallMs = smallTimes.sort((a, b) => a - b)[1]!;

  const big = join(repo, 'huge.bin');
  writeFileSync(big, '');
  truncateSync(big, SPARSE_BYTES);
  const objectsBefore = objectStoreListing(repo);
  const countBefore = countObjects(repo);

  const runDir = join(home, 'run');
  mkdirSync(runDir);
  const [baseline, bigMs] = await timed(() => takeBaseline(repo, runDir));
  assert.equal(baseline.kind, 'git');
  if (baseline.kind !== 'git') return;
  assert.deepEqual(baseline.skipped, [{ path: 'huge.bin', size: SPARSE_BYTES }]);
  // Hashing 1.5 GB costs seconds; skipping it costs a stat. Generous ratio for a busy machine.
  assert.ok(bigMs < Math.max(10 * smallMs, smallMs + 2_000), `baseline with the large file took ${bigMs.toFixed(0)} ms, the small repo ${smallMs.toFixed(0)} ms`);

  writeFileSync(join(repo, 'new.txt'), 'written by the agent\n');
  let diff = await diffSinceBaseline(baseline, { patch: true });
  assert.deepEqual(diff.changes, [{ path: 'new.txt', change: 'added' }]);
  assert.deepEqual(diff.skipped, [{ path: 'huge.bin', size: SPARSE_BYTES }]);

  // A change to the big file shows, judged by size and mtime.
  truncateSync(big, SPARSE_BYTES + 4096);
  diff = await diffSinceBaseline(baseline);
  assert.deepEqual(diff.changes, [
    { path: 'huge.bin', change: 'modified' },
    { path: 'new.txt', change: 'added' },
  ]);
  // Same size, new mtime: still a change.
  truncateSync(big, SPARSE_BYTES);
  const later = new Date(Date.now() + 60_000);
  utimesSync(big, later, later);
  const mtimeOnly = await diffSinceBaseline(baseline);
  assert.ok(mtimeOnly.changes.some((c) => c.path === 'huge.bin' && c.change === 'modified'), JSON.stringify(mtimeOnly.changes));

  assert.deepEqual(objectStoreListing(repo), objectsBefore, 'baseline and diff wrote into .git/objects');
  assert.equal(countObjects(repo), countBefore);
  assert.ok(readdirSync(join(runDir, 'git', 'objects')).length > 2, 'the snapshot objects are in the run dir instead');
  assert.deepEqual(readdirSync(join(runDir, 'git')).filter((name) => name.startsWith('index')), [], 'scratch index removed');
});

test('the bound is a constant of 32 MiB, and files under it are hashed as before', async (t) => {
  assert.equal(LARGE_FILE_BYTES, 32 * 1024 * 1024);
  const repo = await makeGitRepo();
  const home = await makeTempDir('baton-home-');
  t.after(() => Promise.all([rm(repo, { recursive: true, force: true }), rm(home, { recursive: true, force: true })]));
  writeFileSync(join(repo, 'under.bin'), Buffer.alloc(1024, 1));
  const baseline = await takeBaseline(repo, home);
  writeFileSync(join(repo, 'under.bin'), Buffer.alloc(1024, 2));
  const diff = await diffSinceBaseline(baseline, { patch: true });
  assert.deepEqual(diff.changes, [{ path: 'under.bin', change: 'modified' }]);
  assert.equal(diff.skipped, undefined);
});

const BASELINE_CHILD = fileURLToPath(new URL('./take-baseline-child.js', import.meta.url));

test('SIGKILL in the middle of a baseline leaves nothing in .git/objects and no scratch in the temp dir', async (t) => {
  const repo = await makeGitRepo();
  const home = await makeTempDir('baton-home-');
  const tmp = await makeTempDir('baton-private-tmp-');
  t.after(() => Promise.all([repo, home, tmp].map((dir) => rm(dir, { recursive: true, force: true }))));
  // Large enough to take a while to hash once the bound is lifted, so the kill lands mid-`git add`.
  const big = join(repo, 'huge.bin');
  writeFileSync(big, '');
  truncateSync(big, SPARSE_BYTES);
  const objectsBefore = objectStoreListing(repo);
  const runDir = join(home, 'run');
  mkdirSync(runDir);
  const child = spawn(process.execPath, [BASELINE_CHILD, repo, runDir], {
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, TMPDIR: tmp, BATON_LARGE_FILE_BYTES: String(SPARSE_BYTES * 2) },
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const storeDir = join(runDir, 'git');
  const deadline = Date.now() + 30_000;
  const scratchIndex = () => {
    try {
      return readdirSync(storeDir).some((name) => name.startsWith('index-'));
    } catch {
      return false;
    }
  };
  while (!scratchIndex() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.ok(scratchIndex(), 'the baseline never started');
  await new Promise((r) => setTimeout(r, 300));
  // Its git children are in its process group, as a supervisor's are.
  process.kill(-child.pid!, 'SIGKILL');
  await exited;
  assert.deepEqual(readdirSync(tmp), [], 'nothing left in the temp dir');
  assert.deepEqual(objectStoreListing(repo), objectsBefore, 'nothing new in .git/objects');
  assert.equal(execFileSync('git', ['status', '--porcelain'], { cwd: repo, encoding: 'utf8' }), '?? huge.bin\n');
});

test('baton run + diff in a repo with a 1.5 GB untracked file: the repo\'s objects are unchanged, the skip is in diff and the supervisor log', async (t) => {
  const repo = await makeGitRepo();
  const root = await makeTempDir('baton-e2e-big-');
  t.after(() => Promise.all([rm(repo, { recursive: true, force: true }), rm(root, { recursive: true, force: true })]));
  const env: NodeJS.ProcessEnv = { ...process.env, BATON_HOME: join(root, 'home'), NO_COLOR: '1' };
  const big = join(repo, 'huge.bin');
  writeFileSync(big, '');
  truncateSync(big, SPARSE_BYTES);
  const objectsBefore = objectStoreListing(repo);
  const countBefore = countObjects(repo);
  const started = await runCli(['run', '--json', '--runner', 'cmd', '--runner-option', 'command=sh -c {prompt}', '--dir', repo, 'printf done > out.txt'], env);
  assert.equal(started.code, 0, started.stderr);
  const waited = await runCli(['wait', started.json.id, '--timeout', '60s', '--json'], env, 70_000);
  assert.equal(waited.code, 0, waited.stdout);
  assert.deepEqual(waited.json.runs[0].filesChanged, ['out.txt']);
  const diff = await runCli(['diff', started.json.id], env);
  assert.equal(diff.code, 0, diff.stderr);
  assert.match(diff.stdout, /A out\.txt/);
  assert.match(diff.stdout, /not hashed.*huge\.bin \(1610612736 bytes\)/);
  const supervisorLog = readFileSync(join(root, 'home', 'runs', started.json.id, 'supervisor.log'), 'utf8');
  assert.match(supervisorLog, /baseline: not hashed.*huge\.bin/);
  assert.deepEqual(objectStoreListing(repo), objectsBefore, 'run and diff wrote into .git/objects');
  assert.equal(countObjects(repo), countBefore);
});

test('new Baton({ env }) sets the large-file bound of its runs\' baselines and diffs; process.env is not read', async (t) => {
  assert.notEqual(process.env.BATON_LARGE_FILE_BYTES, '4096');
  const session = await startCmdAgentSession(t, { BATON_LARGE_FILE_BYTES: '4096' });
  writeFileSync(join(session.repo, 'big.bin'), Buffer.alloc(10_000, 1));
  writeFileSync(join(session.repo, 'small.txt'), 'hashed\n');
  const id = await session.launch('printf done > out.txt\necho DONE\n');
  const waited = await session.baton.wait([id], { timeoutMs: 120_000 });
  assert.equal(waited.timedOut, false);
  const run = session.baton.resolveRun(id);
  assert.equal(run.baseline?.kind, 'git');
  assert.deepEqual(run.baseline?.kind === 'git' ? run.baseline.skipped?.map((f) => f.path) : null, ['big.bin'], 'the supervisor took the bound from the Baton env');
  const diff = await session.baton.diff(id);
  assert.deepEqual(diff.skipped?.map((f) => f.path), ['big.bin']);
  // Hashed in this process with the default bound, big.bin would differ from its placeholder and show as modified.
  assert.deepEqual(diff.changes.map((c) => c.path), ['out.txt']);
});
