import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BATON_BIN, runCli } from '../e2e/harness.js';

function startUi(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [BATON_BIN, 'ui', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
  child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => stdout.includes('\n') && (clearInterval(timer), resolve()), 20);
    child.once('exit', (code) => (clearInterval(timer), reject(new Error(`baton ui exited ${code}: ${stderr}`))));
  });
  const stop = () =>
    new Promise<number | null>((resolve) => {
      child.once('exit', (code) => resolve(code));
      child.kill('SIGINT');
    });
  return { ready, stop, out: () => stdout, err: () => stderr };
}

test('baton ui: loopback by default, the token only in the printed URL, Ctrl-C stops it cleanly', async () => {
  const env = { ...process.env, BATON_HOME: mkdtempSync(join(tmpdir(), 'baton-ui-cmd-')), NO_COLOR: '1' };
  const ui = startUi(['--json'], env);
  await ui.ready;
  const info = JSON.parse(ui.out().split('\n')[0]!) as { url: string; openUrl: string; host: string; port: number; token?: string };
  assert.equal(info.host, '127.0.0.1');
  assert.match(info.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  assert.match(info.openUrl, /\?token=[\w-]{20,}$/);
  assert.equal((await fetch(`${info.url}api/runs`)).status, 401);
  const token = new URL(info.openUrl).searchParams.get('token')!;
  const runs = await fetch(`${info.url}api/runs`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(runs.status, 200);
  assert.deepEqual(((await runs.json()) as { total: number }).total, 0);
  assert.equal(ui.err(), '', 'no warning on loopback');
  assert.equal(await ui.stop(), 0);
});

test('baton ui --host other than loopback warns that anyone with the token can act', async () => {
  const env = { ...process.env, BATON_HOME: mkdtempSync(join(tmpdir(), 'baton-ui-cmd-')), NO_COLOR: '1' };
  const ui = startUi(['--host', '0.0.0.0', '--json'], env);
  await ui.ready;
  assert.match(ui.err(), /warning: listening on 0\.0\.0\.0, not loopback: anyone who can reach it and has the token can/);
  assert.equal(await ui.stop(), 0);
});

test('baton ui: a bad port or a port in use is a usage error, not a crash', async () => {
  const env = { ...process.env, BATON_HOME: mkdtempSync(join(tmpdir(), 'baton-ui-cmd-')), NO_COLOR: '1' };
  const bad = await runCli(['ui', '--port', '70000', '--json'], env);
  assert.equal(bad.code, 2);
  assert.match(bad.json.error.message, /--port must be 0–65535/);
  const first = startUi(['--json'], env);
  await first.ready;
  const port = (JSON.parse(first.out().split('\n')[0]!) as { port: number }).port;
  const taken = await runCli(['ui', '--port', String(port), '--json'], env);
  assert.notEqual(taken.code, 0);
  assert.match(taken.json.error.message, new RegExp(`^--port: ${port} is in use`));
  await first.stop();
});
