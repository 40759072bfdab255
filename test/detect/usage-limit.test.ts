import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findUsageLimit, parseResetTime } from '../../src/detect/usage-limit.js';
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
  assert.match(verdict.reasons[0]!, /^usage limit reached \(API 429\): Usage limit reached, resets in 10 seconds; resets at /);
  assert.ok(verdict.limitResetAt);
});

test('other API errors are not limits', () => {
  const digest = emptyDigest();
  applyEvent(digest, { kind: 'error', message: 'upstream exploded', api: true, status: 500 });
  assert.equal(findUsageLimit(digest), null);
});
