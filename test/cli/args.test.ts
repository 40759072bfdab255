import { test } from 'node:test';
import assert from 'node:assert/strict';
import { joinDashValues } from '../../src/cli/args.js';
import type { OptionSpec } from '../../src/cli/command.js';

const OPTIONS: OptionSpec = { timeout: { type: 'string' }, lines: { type: 'string', short: 'n' }, follow: { type: 'boolean', short: 'f' } };

test('a negative number after an option that takes a value is that value, so its own check can name the flag', () => {
  assert.deepEqual(joinDashValues(['--timeout', '-1', 'x'], OPTIONS), ['--timeout=-1', 'x']);
  assert.deepEqual(joinDashValues(['-n', '-5'], OPTIONS), ['--lines=-5']);
  assert.deepEqual(joinDashValues(['--timeout', '-.5s'], OPTIONS), ['--timeout=-.5s']);
});

test('anything else is left for parseArgs as it was', () => {
  assert.deepEqual(joinDashValues(['--timeout', '5m', '-f', '--bogus', '-1'], OPTIONS), ['--timeout', '5m', '-f', '--bogus', '-1']);
  assert.deepEqual(joinDashValues(['--follow', '-1'], OPTIONS), ['--follow', '-1'], 'a boolean takes no value');
  assert.deepEqual(joinDashValues(['--timeout', '--json'], OPTIONS), ['--timeout', '--json']);
  assert.deepEqual(joinDashValues(['--', '--timeout', '-1'], OPTIONS), ['--', '--timeout', '-1'], 'nothing after -- is an option');
});
