import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isProcessAlive } from '../../src/processes/index.js';
import { agentPid, runCli } from '../e2e/harness.js';
import { makeTempDir } from '../mock-model/agent-harness.js';
import { waitFor } from '../wait-for.js';

const HOST_MAIN = fileURLToPath(new URL('../../src/supervise/supervisor-host-main.js', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const until = <T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> =>
  waitFor(probe, { what, timeoutMs }) as Promise<T>;

async function tempHome(t: TestContext): Promise<{ root: string; home: string; env: NodeJS.ProcessEnv }> {
  const root = await makeTempDir('baton-host-');
  t.after(() => rm(root, { recursive: true, force: true }));
  const home = join(root, 'home');
  mkdirSync(home, { recursive: true, mode: 0o700 });
  return { root, home, env: { ...process.env, BATON_HOME: home, NO_COLOR: '1', BATON_HOST_IDLE_MS: '2000' } };
}

test('two hosts started at once for one home: one serves, the other exits', async (t) => {
  const { home, env } = await tempHome(t);
  const hosts = [0, 1].map(() => spawn(process.execPath, [HOST_MAIN, home], { env, stdio: ['ignore', 'ignore', 'pipe'] }));
  const outputs = hosts.map((host) => {
    let text = '';
    host.stderr!.on('data', (chunk) => (text += chunk));
    return () => text;
  });
  t.after(() => hosts.forEach((host) => host.exitCode === null && host.kill('SIGKILL')));
  const exited = await Promise.race(hosts.map((host, i) => new Promise<number>((resolve) => host.once('exit', () => resolve(i)))));
  const winner = 1 - exited;
  assert.match(outputs[exited]!(), /another host already serves/);
  await until('the winner to serve', () => /serving/.test(outputs[winner]!()));
  assert.equal(statSync(join(home, 'supervisor.sock')).mode & 0o777, 0o600, 'the socket is private');
  // Without runs it retires on its own, and takes its socket with it.
  await until('the idle host to exit', () => hosts[winner]!.exitCode !== null, 30_000);
  assert.equal(existsSync(join(home, 'supervisor.sock')), false);
});

test('the host killed with -9: its agent keeps running and logging, and status says it is unwatched', async (t) => {
  const { root, home, env } = await tempHome(t);
  const stop = join(root, 'stop');
  const command = `sh -c 'i=0; while [ ! -e "$1" ] && [ $i -lt 600 ]; do echo tick $i; i=$((i+1)); sleep 0.1; done' agent ${stop} {prompt}`;
  const run = await runCli(['run', '--json', '--runner', 'cmd', '--runner-option', `command=${command}`, '--dir', root, 'go'], env);
  assert.equal(run.code, 0, run.stderr);
  const id = run.json.id as string;
  t.after(() => runCli(['kill', id, '--grace', '1s'], env).then(() => undefined));
  const hostPid = Number(/host (\d+) serving/.exec(readFileSync(join(home, 'supervisor-host.log'), 'utf8'))![1]);
  const agent = await agentPid((args) => runCli(args, env), id);
  process.kill(hostPid, 'SIGKILL');
  await until('the host to die', () => !isProcessAlive(hostPid));
  const size = statSync(run.json.log).size;
  await until('the log to grow without a host', () => statSync(run.json.log).size > size);
  assert.ok(isProcessAlive(agent));
  const status = (await runCli(['status', id, '--json'], env)).json;
  assert.equal(status.state, 'running');
  assert.match(status.reasons[0], /supervisor is gone; the agent \(pid \d+\) still runs unwatched/);
});

test('launches spaced around the host\'s idle time all succeed: hosts retire and the next launch starts a new one', async (t) => {
  const { root, home, env } = await tempHome(t);
  const fast = { ...env, BATON_HOST_IDLE_MS: '150' };
  const ids: string[] = [];
  for (let i = 0; i < 12; i++) {
    const run = await runCli(['run', '--json', '--runner', 'cmd', '--runner-option', 'command=true {prompt}', '--dir', root, `go ${i}`], fast);
    assert.equal(run.code, 0, `launch ${i}: ${run.stderr}`);
    ids.push(run.json.id as string);
    // Land the next launch near the end of the host's idle time, on either side of it.
    await sleep(100 + ((i * 37) % 100));
  }
  const waited = await runCli(['wait', ...ids, '--timeout', '60s', '--json'], env, 90_000);
  assert.equal(waited.code, 0, waited.stdout);
  const hosts = readFileSync(join(home, 'supervisor-host.log'), 'utf8').match(/serving/g) ?? [];
  assert.ok(hosts.length >= 2, `hosts retired between launches and new ones served (${hosts.length} served)`);
});
