import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { omoRunner } from '../../src/runners/omo.js';
import { stripAnsi } from '../../src/text.js';
import { BIN_DIR, freePort, makeTempDir } from '../mock-model/agent-harness.js';
import { startScriptedSession, warmSharedXdgDir, type ScriptedSession } from '../mock-model/scripted-session.js';

interface Launched {
  pid: number;
  output: () => string;
  /** Resolves with the first match of `pattern` in the launcher's output; rejects when it ends first. */
  line: (pattern: RegExp) => Promise<RegExpMatchArray>;
  ended: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The launcher exactly as the omo runner builds it, in a process group of its own, as the supervisor starts it. */
async function launch(t: TestContext, session: ScriptedSession, options: { prompt: string; port?: number }): Promise<Launched> {
  const runDir = await makeTempDir('baton-omo-launch-');
  const invocation = await omoRunner.buildLaunch(
    { prompt: options.prompt, dir: session.repo, agent: 'hephaestus', model: session.sandbox.model, options: {} },
    {
      binary: join(BIN_DIR, 'oh-my-opencode'),
      locate: (name) => join(BIN_DIR, name),
      freePort: async () => options.port ?? (await freePort()),
      runDir,
      env: { ...process.env, ...session.sandbox.env },
    },
  );
  const child = spawn(invocation.command, invocation.args, {
    cwd: invocation.cwd,
    env: { ...process.env, ...session.sandbox.env, ...invocation.env, PWD: session.repo },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid!;
  let output = '';
  const waiters = new Set<() => void>();
  const onData = (text: string) => {
    output += text;
    for (const check of waiters) check();
  };
  child.stdout.setEncoding('utf8').on('data', onData);
  child.stderr.setEncoding('utf8').on('data', onData);
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      for (const check of waiters) check();
      resolve({ code, signal });
    }),
  );
  let done = false;
  void ended.then(() => (done = true));
  t.after(() => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // The group is gone already.
    }
  });
  const line = (pattern: RegExp) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const match = output.match(pattern);
        if (match) {
          waiters.delete(check);
          resolve(match);
        } else if (done || child.exitCode !== null || child.signalCode !== null) {
          waiters.delete(check);
          reject(new Error(`the launcher ended without printing ${pattern}:\n${output}`));
        }
      };
      waiters.add(check);
      check();
    });
  return { pid, output: () => output, line, ended };
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(condition: () => boolean, what: string, limitMs = 30_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`still waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('the bash launcher starts the server, then oh-my-opencode, whose prompt (leading -, $(…), quotes, newlines) reaches the model verbatim', { timeout: 240_000 }, async (t) => {
  await warmSharedXdgDir();
  const session = await startScriptedSession(t, { ohMyOpencode: true });
  const prompt = '--looks-like-a-flag\n"double" \'single\' $(touch pwned) `id` $HOME ;|& *\nlast line';
  const run = await launch(t, session, { prompt });
  const end = await run.ended;
  assert.deepEqual(end, { code: 0, signal: null }, run.output());
  const agentRequests = session.mock.requests().filter((request) => request.hasTools);
  assert.ok(agentRequests.length > 0, run.output());
  assert.equal(agentRequests[0]!.lastUserText, prompt);
  assert.match(run.output(), /\[baton\] started the opencode server \(pid \d+\) at http:\/\/127\.0\.0\.1:\d+, output in .*server\.log/);
  assert.match(run.output(), /\[baton\] the opencode server answered after \d+(ms|s); starting oh-my-opencode attached to it/);
  // oh-my-opencode colours its words when it thinks it is in CI (CI=true): read the text, not the escapes.
  assert.match(stripAnsi(run.output()), /Port \d+ is occupied, attaching to existing server/);
  const serverLog = run.output().match(/output in (\S+server\.log);/)![1]!;
  assert.equal(statSync(serverLog).mode & 0o777, 0o600);
  await until(() => !groupAlive(run.pid), 'the server to be stopped with the run');
});

test('a server that cannot run for 6 s (SIGSTOP) is waited for, past oh-my-opencode\'s 5 s, and the run completes', { timeout: 240_000 }, async (t) => {
  await warmSharedXdgDir();
  const session = await startScriptedSession(t, { ohMyOpencode: true });
  const run = await launch(t, session, { prompt: 'Say that you are done.' });
  const server = Number((await run.line(/started the opencode server \(pid (\d+)\)/))[1]);
  // Frozen as it starts, like a server the scheduler does not get to on a saturated machine.
  process.kill(server, 'SIGSTOP');
  const stoppedAt = Date.now();
  const resume = setTimeout(() => process.kill(server, 'SIGCONT'), 6_000);
  t.after(() => clearTimeout(resume));
  await run.line(/the opencode server answered after/);
  assert.ok(Date.now() - stoppedAt >= 6_000, 'it answered only after it was resumed');
  const end = await run.ended;
  assert.deepEqual(end, { code: 0, signal: null }, run.output());
  assert.ok(session.mock.requests().some((request) => request.hasTools), 'oh-my-opencode asked the model');
});

test('a server that exits before it answers (its port taken) ends the launcher with the start failure the runner retries', { timeout: 120_000 }, async (t) => {
  await warmSharedXdgDir();
  const session = await startScriptedSession(t, { ohMyOpencode: true });
  const port = await freePort();
  // It accepts connections and never answers: the wait must end on the server's exit, not on a request.
  const held: Socket[] = [];
  const squatter: Server = createServer((socket) => held.push(socket));
  await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
  t.after(() => {
    for (const socket of held) socket.destroy();
    squatter.close();
  });
  const run = await launch(t, session, { prompt: 'never sent', port });
  assert.deepEqual(await run.ended, { code: 1, signal: null }, run.output());
  const error = run.output().match(/^Error: (.*)$/m);
  assert.ok(error, run.output());
  assert.match(error[1]!, /exited before it answered \(exit code \d+\); see \S+server\.log$/);
  assert.match(omoRunner.transientStartFailure!([error[1]!])!, /exited before it answered/);
  const serverLog = run.output().match(/output in (\S+server\.log);/)![1]!;
  assert.notEqual(readFileSync(serverLog, 'utf8'), '', 'the server said why, in its own log');
  assert.equal(session.mock.requests().filter((request) => request.hasTools).length, 0, 'oh-my-opencode never started');
});

test('SIGTERM to the launcher while it waits reaches the server, and the launcher ends by SIGTERM', { timeout: 120_000 }, async (t) => {
  await warmSharedXdgDir();
  const session = await startScriptedSession(t, { ohMyOpencode: true });
  const run = await launch(t, session, { prompt: 'never sent' });
  const server = Number((await run.line(/started the opencode server \(pid (\d+)\)/))[1]);
  // A frozen server keeps the launcher waiting; the forwarded TERM (or the KILL 2 s later) still ends it.
  process.kill(server, 'SIGSTOP');
  process.kill(run.pid, 'SIGTERM');
  assert.deepEqual(await run.ended, { code: null, signal: 'SIGTERM' }, run.output());
  await until(() => !groupAlive(run.pid), 'the server to be gone');
  assert.doesNotMatch(run.output(), /exited before it answered/, 'a signal is not a start failure');
});
