import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, MAX_DURATION_MS, parseDuration } from '../src/duration.js';

test('parses the forms the CLI documents', () => {
  assert.equal(parseDuration('90s'), 90_000);
  assert.equal(parseDuration('5m'), 300_000);
  assert.equal(parseDuration('2h'), 7_200_000);
  assert.equal(parseDuration('1h30m'), 5_400_000);
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('3'), 3_000);
  assert.equal(parseDuration('25d'), 25 * 86_400_000);
  assert.equal(parseDuration('2w'), 14 * 86_400_000);
  assert.equal(parseDuration('366d'), MAX_DURATION_MS);
});

test('rejects what is not a duration, saying which forms work and the range', () => {
  for (const bad of ['', 'soon', '5 minutes', '5m!', '-1s', '-1', 'Infinity']) {
    assert.throws(() => parseDuration(bad), /not a duration; use forms like 90s, 5m, 2h, 1h30m or 3d \(from 1ms to 366d\)/);
  }
});

test('rejects zero and durations longer than a year and a day, naming the range', () => {
  for (const zero of ['0', '0s', '0ms', '0.0001']) assert.throws(() => parseDuration(zero), /not a positive duration; allowed from 1ms to 366d/);
  for (const long of ['367d', '53w', '100000000000000000000d', '99999999999']) {
    assert.throws(() => parseDuration(long), /longer than Baton allows; allowed from 1ms to 366d/);
  }
});

test('formats compactly', () => {
  assert.equal(formatDuration(400), '400ms');
  assert.equal(formatDuration(61_000), '1m1s');
  assert.equal(formatDuration(7_260_000), '2h1m');
  assert.equal(formatDuration(25 * 86_400_000), '25d');
  assert.equal(formatDuration(49 * 3_600_000), '2d1h');
});
