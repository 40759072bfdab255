import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, parseDuration } from '../src/duration.js';

test('parses the forms the CLI documents', () => {
  assert.equal(parseDuration('90s'), 90_000);
  assert.equal(parseDuration('5m'), 300_000);
  assert.equal(parseDuration('2h'), 7_200_000);
  assert.equal(parseDuration('1h30m'), 5_400_000);
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('3'), 3_000);
});

test('rejects what is not a duration, saying which forms work', () => {
  for (const bad of ['', 'soon', '5 minutes', '5m!', '-1s']) {
    assert.throws(() => parseDuration(bad), /not a duration; use forms like 90s, 5m, 2h or 1h30m/);
  }
});

test('formats compactly', () => {
  assert.equal(formatDuration(400), '400ms');
  assert.equal(formatDuration(61_000), '1m1s');
  assert.equal(formatDuration(7_260_000), '2h1m');
});
