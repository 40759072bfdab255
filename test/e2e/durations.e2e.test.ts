import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './harness.js';

function freshEnv(): NodeJS.ProcessEnv {
  return { ...process.env, BATON_HOME: mkdtempSync(join(tmpdir(), 'baton-durations-')), NO_COLOR: '1' };
}

test('a run with --timeout 25d is still running seconds later (no timer overflow)', async (t) => {
  const env = freshEnv();
  const launched = await runCli(['run', '--json', '--runner', 'cmd', '--runner-option', 'command=sleep 600', '--runner-option', 'input=stdin', '--timeout', '25d', '--dir', tmpdir(), 'wait'], env);
  assert.equal(launched.code, 0, launched.stderr);
  const id = launched.json.id as string;
  t.after(() => runCli(['kill', id, '--grace', '1s'], env));
  // Before the fix the run was `failed · timed out` ~90 ms after start; poll for 3 s that it never ends.
  const until = Date.now() + 3_000;
  let state = '';
  while (Date.now() < until) {
    const status = await runCli(['status', id, '--json'], env);
    state = status.json.state;
    assert.equal(state, 'running', `run ended early: ${status.stdout}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const killed = await runCli(['kill', id, '--grace', '1s', '--json'], env);
  assert.equal(killed.code, 0, killed.stderr);
});

test('zero, negative, garbage and over-long durations are usage errors naming the flag and the range', async () => {
  const env = freshEnv();
  const cases: [string[], RegExp][] = [
    [['run', '--timeout', '-1', '--dir', tmpdir(), 'x'], /--timeout: "-1" is not a duration; .*\(from 1ms to 366d\)/],
    [['run', '--timeout', '0', '--dir', tmpdir(), 'x'], /--timeout: "0" is not a positive duration; allowed from 1ms to 366d/],
    [['run', '--stall-after', '400d', '--dir', tmpdir(), 'x'], /--stall-after: "400d" is longer than Baton allows; allowed from 1ms to 366d/],
    [['run', '--timeout=-5m', '--dir', tmpdir(), 'x'], /--timeout: "-5m" is not a duration/],
    [['wait', 'abc', '--timeout', '-1'], /--timeout: "-1" is not a duration/],
    [['kill', 'abc', '--grace', '99999w'], /--grace: "99999w" is longer than Baton allows/],
  ];
  for (const [args, message] of cases) {
    const result = await runCli(args, env);
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message);
    assert.doesNotMatch(result.stderr, /ambiguous/);
  }
  const list = await runCli(['list', '--json'], env);
  assert.deepEqual(list.json, [], 'no run was recorded');
});
