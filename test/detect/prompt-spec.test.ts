import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isVerificationRun, readPromptSpec } from '../../src/detect/prompt-spec.js';

const TEMPLATE = `You are implementing Phase 5 of quarry: integration tests.

## Project
A Rust workspace with crates quarry-core and quarry-cli.

## CRITICAL INSTRUCTIONS
- For NEW files: use \`cat > /path <<'EOF' ... EOF\`
- Final step: run \`cargo check --workspace 2>&1\` and fix any errors

## Files to Create/Modify
- \`crates/quarry-core/tests/parse.rs\` — parser tests
- crates/quarry-cli/Cargo.toml (add dev-deps)
- **Create** \`crates/quarry-cli/tests/cli.rs\`

## Steps
1. Read crates/quarry-core/src/lib.rs
2. Create the tests
3. Run cargo check --workspace 2>&1, fix errors, report final result
`;

test('reads the files section and the verification of the last step', () => {
  const spec = readPromptSpec(TEMPLATE);
  assert.deepEqual(spec.expectedFiles, [
    'crates/quarry-core/tests/parse.rs',
    'crates/quarry-cli/Cargo.toml',
    'crates/quarry-cli/tests/cli.rs',
  ]);
  assert.equal(spec.verification, 'cargo check --workspace 2>&1');
});

test('a backticked command in the last step wins', () => {
  const spec = readPromptSpec('## Steps\n1. Write it\n2. Run `npm test` and fix errors\n');
  assert.equal(spec.verification, 'npm test');
  assert.deepEqual(spec.expectedFiles, []);
});

test('a last step that runs nothing gives no verification', () => {
  assert.equal(readPromptSpec('## Steps\n1. Write src/a.ts\n2. Report what you did\n').verification, undefined);
});

test('a prompt without the template has no expectations', () => {
  assert.deepEqual(readPromptSpec('Fix the bug in index.ts please'), { expectedFiles: [] });
});

test('headings inside code fences do not start sections', () => {
  const spec = readPromptSpec('## Files to Create\n- `a/b.ts`\n```\n## Steps\n1. run `nope`\n```\n');
  assert.deepEqual(spec.expectedFiles, ['a/b.ts']);
  assert.equal(spec.verification, undefined);
});

test('verification matching ignores 2>&1, pipes to tail and wrappers', () => {
  assert.ok(isVerificationRun('cargo check --workspace', 'cargo check --workspace 2>&1'));
  assert.ok(isVerificationRun('cd /repo && cargo check --workspace 2>&1 | tail -20', 'cargo check --workspace'));
  assert.ok(!isVerificationRun('cargo build', 'cargo check --workspace'));
});
