import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeUsageLimit, findUsageLimit, parseResetTime } from '../../src/detect/usage-limit.js';
import { decideFinalState } from '../../src/detect/final-state.js';
import { applyEvent, emptyDigest } from '../../src/digest.js';

const NOW = Date.parse('2026-11-26T10:00:00Z');

test('reset times in the forms providers use', () => {
  assert.equal(parseResetTime('Usage limit reached, resets in 3 seconds', NOW), NOW + 3_000);
  assert.equal(parseResetTime('try again in 5 minutes', NOW), NOW + 300_000);
  assert.equal(parseResetTime('limit resets at 2026-11-26T12:30:00Z', NOW), Date.parse('2026-11-26T12:30:00Z'));
  assert.equal(parseResetTime('{"resets_at": 1795700000}', NOW), 1_795_700_000_000);
  const clock = parseResetTime('usage limit reached … resets at 3pm', NOW)!;
  assert.equal(new Date(clock).getHours(), 15);
  assert.ok(clock > NOW && clock <= NOW + 86_400_000, 'the next 3pm');
  assert.equal(parseResetTime('nothing about time here', NOW), null);
});

test('a 429 or limit wording makes a limited run with its reset time', () => {
  const digest = emptyDigest();
  applyEvent(digest, { kind: 'error', message: 'Usage limit reached, resets in 10 seconds', api: true, status: 429 });
  const limit = findUsageLimit(digest, NOW);
  assert.deepEqual(limit, { resetAt: NOW + 10_000, message: 'Usage limit reached, resets in 10 seconds', status: 429 });
  const verdict = decideFinalState({
    end: { exitCode: 1, signal: null, killRequested: false },
    digest,
    spec: { expectedFiles: [] },
    missingFiles: [],
    unfinishedTools: null,
    completionSignal: 'x',
  });
  assert.equal(verdict.state, 'limited');
  // The provider's own "resets in 10 seconds" is kept and the exact time added, not a second "resets at".
  assert.match(verdict.reasons[0]!, /^usage limit reached \(API 429\): Usage limit reached, resets in 10 seconds \(\d{4}-\d\d-\d\dT[\d:.]+Z\)$/);
  assert.ok(verdict.limitResetAt);
});

test('a limited run says when it resets once, whether or not the provider said it', () => {
  const reset = Date.parse('2026-11-26T15:00:00Z');
  const said = describeUsageLimit({ resetAt: reset, message: "You've hit your usage limit; resets at 3pm", status: 429 });
  assert.equal(said.match(/resets/g)?.length, 1, said);
  assert.equal(said, "usage limit reached (API 429): You've hit your usage limit; resets at 3pm (2026-11-26T15:00:00.000Z)");
  const unsaid = describeUsageLimit({ resetAt: reset, message: 'quota exceeded {"resets_at": 1795700000}' });
  assert.equal(unsaid, 'usage limit reached: quota exceeded {"resets_at": 1795700000}; resets at 2026-11-26T15:00:00.000Z');
  const silent = describeUsageLimit({ resetAt: reset, message: 'quota exceeded' });
  assert.equal(silent, 'usage limit reached: quota exceeded; resets at 2026-11-26T15:00:00.000Z');
  assert.equal(describeUsageLimit({ resetAt: null, message: 'quota exceeded' }), 'usage limit reached: quota exceeded; the provider did not say when it resets');
});

test('other API errors are not limits', () => {
  const digest = emptyDigest();
  applyEvent(digest, { kind: 'error', message: 'upstream exploded', api: true, status: 500 });
  assert.equal(findUsageLimit(digest), null);
});
