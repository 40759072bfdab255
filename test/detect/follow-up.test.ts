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
