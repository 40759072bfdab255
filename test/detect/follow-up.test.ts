import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFollowUp } from '../../src/detect/follow-up.js';
import { applyEvent, emptyDigest } from '../../src/digest.js';

test('names what was created and numbers what remains, verification last', () => {
  const digest = emptyDigest();
  applyEvent(digest, { kind: 'tool', callId: 'w', tool: 'write', toolKind: 'write', status: 'completed', path: 'crates/x/src/lib.rs' });
  const prompt = writeFollowUp({
    reasons: [
      { kind: 'missing-file', path: 'crates/x/tests/y.rs' },
      { kind: 'cut-off', tool: 'edit', path: 'Cargo.toml' },
      { kind: 'verification-not-run', command: 'cargo test' },
    ],
    digest,
    spec: { expectedFiles: ['crates/x/tests/y.rs'], verification: 'cargo test' },
  });
  assert.equal(
    prompt,
    'Continue. You created crates/x/src/lib.rs but still need: (1) create crates/x/tests/y.rs (2) finish the edit of Cargo.toml, which was cut off (3) run `cargo test` and fix any errors until it passes',
  );
});

test('with nothing created and no verification it still asks to finish', () => {
  const prompt = writeFollowUp({ reasons: [{ kind: 'no-completion-signal', signal: 'x' }], digest: emptyDigest(), spec: { expectedFiles: [] } });
  assert.equal(prompt, 'Continue. You still need: (1) finish the remaining steps of the original task');
});

test('each kind asks for its own step from the data, whatever the words around it', () => {
  // A path that reads like another reason is still just a path: nothing is parsed back out of words.
  const prompt = writeFollowUp({
    reasons: [
      { kind: 'missing-file', path: 'cut off during edit x.md' },
      { kind: 'cut-off', tool: 'bash', command: 'npm run build' },
      { kind: 'cut-off', tool: 'task' },
      { kind: 'permission-denied', tool: 'Bash', detail: 'rm -rf dist' },
      { kind: 'usage-limit', message: 'quota', resetsAt: null },
      { kind: 'verification-failed', command: 'npm test', exitCode: 1 },
    ],
    digest: emptyDigest(),
    spec: { expectedFiles: [], verification: 'npm test' },
  });
  assert.equal(
    prompt,
    'Continue. You still need: (1) create cut off during edit x.md (2) finish the bash of `npm run build`, which was cut off (3) finish the task that was cut off ' +
      '(4) Bash rm -rf dist was refused by your permission settings: do that part another way, or say exactly what needs running ' +
      '(5) continue where you left off; the usage limit has lifted (6) run `npm test` and fix any errors until it passes',
  );
});

test('how the agent ended asks to finish once; Baton\'s own trouble asks nothing of the agent', () => {
  const prompt = writeFollowUp({
    reasons: [{ kind: 'exit-code', code: 1 }, { kind: 'api-error', status: 500, count: 2, message: 'boom' }, { kind: 'timeout', boundMs: 1000 }, { kind: 'outcome-unknown' }],
    digest: emptyDigest(),
    spec: { expectedFiles: [] },
  });
  assert.equal(prompt, 'Continue. You still need: (1) finish the remaining steps of the original task');
});

test('a run recorded before reasons were data (no details) gets the general follow-up', () => {
  assert.equal(
    writeFollowUp({ reasons: [], digest: emptyDigest(), spec: { expectedFiles: ['a.txt'], verification: 'make' } }),
    'Continue. You still need: (1) run `make` and fix any errors until it passes',
  );
});
