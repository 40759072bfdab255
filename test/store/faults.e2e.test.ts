/**
 * Store faults made for real: a read-only mount, a full disk (a small tmpfs as BATON_HOME), a damaged
 * database file. Tests run as root, which ignores file modes, so read-only means a read-only mount.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/index.js';
import { runCli } from '../e2e/harness.js';
import { waitFor } from '../wait-for.js';

/** A tmpfs of `size` mounted at a fresh directory, unmounted after the test; null (test skipped) where mounting is impossible. */
function tmpfs(t: TestContext, size: string): string | null {
  const dir = mkdtempSync(join(tmpdir(), 'baton-fault-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    t.skip(`cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN): ${(error as Error).message.split('\n')[0]}`);
    return null;
  }
  t.after(() => {
    try {
      execFileSync('umount', [dir], { stdio: 'pipe' });
    } catch {
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
    }
  });
  return dir;
}

const envFor = (home: string): NodeJS.ProcessEnv => ({ ...process.env, BATON_HOME: home, NO_COLOR: '1' });

async function launch(env: NodeJS.ProcessEnv, command: string, stdin = false): Promise<string> {
  const args = ['run', '--json', '--runner', 'cmd', '--runner-option', `command=${command}`, ...(stdin ? ['--runner-option', 'input=stdin'] : []), '--dir', mkdtempSync(join(tmpdir(), 'baton-fault-dir-')), 'go'];
  const launched = await runCli(args, env);
  assert.equal(launched.code, 0, launched.stderr);
  return launched.json.id as string;
}

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  await waitFor(check, { what, timeoutMs, intervalMs: 100 });
}

const snapshots = () => readdirSync(tmpdir()).filter((name) => name.startsWith('baton-readonly-store-')).length;

test('on a read-only store every reading command works, and a writing one says which path is read-only', async (t) => {
  const home = tmpfs(t, '8m');
  if (!home) return;
  const env = envFor(home);
  const done = await launch(env, "echo hello {prompt}");
  assert.equal((await runCli(['wait', done, '--timeout', '60s'], env)).code, 0);
  // A run whose supervisor and agent die unseen: a reader settles it, and on a read-only store it still must.
  const orphan = await launch(env, 'sleep 600', true);
  const record = (await runCli(['status', orphan, '--json'], env)).json;
  const store = openStore(home);
  const { supervisorPid, pgid } = store.runs.get(record.id)!;
  store.close();
  process.kill(supervisorPid!, 'SIGKILL');
  process.kill(-pgid!, 'SIGKILL');
  await until('the orphan run is dead', () => {
    try {
      process.kill(-pgid!, 0);
      return false;
    } catch {
      return true;
    }
  });
  const before = snapshots();
  execFileSync('mount', ['-o', 'remount,ro', home]);

  for (const args of [['list'], ['status'], ['status', done], ['status', done, '--full'], ['tail', done], ['wait', done], ['diff', done], ['list', '--json']]) {
    const result = await runCli(args, env);
    assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
  }
  assert.match((await runCli(['tail', done], env)).stdout, /hello/);
  const orphanStatus = await runCli(['status', orphan], env);
  assert.equal(orphanStatus.code, 0, orphanStatus.stderr);
  assert.match(orphanStatus.stdout, /incomplete[\s\S]*supervisor died before the agent ended/);
  const exported = await runCli(['export', done], env);
  assert.doesNotMatch(exported.stderr, /store|database/, 'export fails only for lack of an agent session, not the store');

  const run = await runCli(['run', '--runner', 'cmd', '--runner-option', 'command=echo {prompt}', '--dir', tmpdir(), 'x'], env);
  assert.equal(run.code, 1);
  assert.match(run.stderr, new RegExp(`the Baton store ${join(home, 'baton.db')} is read-only \\(${home} is on a read-only file system\\); read-only commands \\(status, list, tail, wait, diff and export\\) still work`));
  assert.equal(snapshots(), before, 'no copy of the store is left behind');
});

test('a full disk names the store and what to do, at open and during a run', async (t) => {
  const home = tmpfs(t, '2m');
  if (!home) return;
  const env = envFor(home);
  // During a run: the agent's log fills the disk. The supervisor must not die silently.
  const script = join(mkdtempSync(join(tmpdir(), 'baton-fill-')), 'fill.mjs');
  writeFileSync(
    script,
    `const line = 'x'.repeat(1023) + '\\n';
for (let i = 0; i < 3000; i++) {
  try { process.stdout.write(line); } catch {}
  if (i % 200 === 0) await new Promise((r) => setTimeout(r, 50));
}
`,
  );
  const id = await launch(env, `${process.execPath} ${script} {prompt}`);
  const waited = await runCli(['wait', id, '--timeout', '120s', '--json'], env);
  assert.notEqual(waited.code, 124, 'the run was settled');
  const status = waited.json.runs[0];
  assert.match(status.reasons[0], new RegExp(`^Baton could not record this run fully: the disk holding ${home}.* full`), status.reasons.join(' | '));
  assert.ok(status.outputLines > 1000, `lines counted up to where the disk filled: ${status.outputLines}`);
  const supervisorLog = readFileSync(join(home, 'runs', id, 'supervisor.log'), 'utf8');
  assert.match(supervisorLog, /store fault: .*full/);
  assert.equal(existsSync(join(home, 'runs', id, 'disk-reserve')), false, 'the reserve was given back');

  // At open: nothing fits any more.
  try {
    writeFileSync(join(home, 'filler'), Buffer.alloc(4 << 20));
  } catch {
    // Filled to the last byte: that is the point.
  }
  const fresh = join(home, 'fresh');
  mkdirSync(fresh);
  const full = await runCli(['list'], envFor(fresh));
  assert.equal(full.code, 1);
  assert.match(full.stderr, new RegExp(`the disk holding the Baton store ${join(fresh, 'baton.db')} is full .*; free space on the file system of ${fresh}`));
});

test('a damaged store says where it is and the way out, which works', async () => {
  const home = mkdtempSync(join(tmpdir(), 'baton-damaged-'));
  const path = join(home, 'baton.db');
  writeFileSync(path, Buffer.from('this is not a database, just garbage that happens to be here '.repeat(200)));
  const env = envFor(home);
  for (const args of [['list'], ['status', 'abc']]) {
    const result = await runCli(args, env);
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`the Baton store ${path} is damaged \\(file is not a database, SQLITE_NOTADB\\)\\. Move it aside \\(mv ${path} ${path}\\.damaged`));
  }
  renameSync(path, `${path}.damaged`);
  assert.equal((await runCli(['list'], env)).code, 0);
});

test('the store files are 0600, in a 0755 BATON_HOME too, and an old 0644 store is tightened', () => {
  const home = mkdtempSync(join(tmpdir(), 'baton-modes-'));
  chmodSync(home, 0o755);
  const store = openStore(home);
  for (const suffix of ['', '-wal', '-shm']) {
    assert.equal(statSync(join(home, `baton.db${suffix}`)).mode & 0o777, 0o600, `baton.db${suffix}`);
  }
  store.close();
  chmodSync(join(home, 'baton.db'), 0o644);
  openStore(home).close();
  assert.equal(statSync(join(home, 'baton.db')).mode & 0o777, 0o600);
});
