import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readPromptSpec } from '../../src/detect/prompt-spec.js';
import { BatonError } from '../../src/errors.js';
import { lintPrompt, writePhasePrompt } from '../../src/prompts/index.js';

const FILLED_INPUT = {
  phase: 5,
  project: 'quarry',
  description: 'integration tests',
  verify: 'cargo check --workspace 2>&1',
  files: ['crates/quarry-core/tests/parse.rs', 'crates/quarry-cli/Cargo.toml'],
  steps: ['Add `tempfile` as a dev-dependency in crates/quarry-cli/Cargo.toml', 'Write tests for `parse_line` in crates/quarry-core/tests/parse.rs'],
};

/** What the author does after `baton prompt new`: describe the project in place of its placeholder. */
function fillProject(text: string): string {
  return text.replace(/^## Project\n<.*>$/m, '## Project\nA Rust workspace: crates quarry-core (the parser) and quarry-cli.');
}

test('the bare template has the proven shape and only placeholder warnings', () => {
  const text = writePhasePrompt({ phase: 3, project: 'quarry' });
  assert.match(text, /^You are implementing Phase 3 of quarry: <[^>]+>\.\n/);
  for (const heading of ['## Project', '## CRITICAL INSTRUCTIONS', '## Files to Create/Modify', '## Steps']) assert.ok(text.includes(`\n${heading}\n`), heading);
  assert.ok(text.includes("- For NEW files: use `cat > /path <<'EOF' ... EOF`"));
  assert.ok(text.includes('- For EXISTING file modifications: use Edit tool (read first, then edit)'));
  const findings = lintPrompt(text);
  assert.ok(findings.length > 0);
  for (const finding of findings) {
    assert.equal(finding.rule, 'unfilled-placeholder', JSON.stringify(finding));
    assert.equal(finding.severity, 'warning');
    assert.match(finding.message, /^unfilled placeholder <.+>$/);
  }
  // Every placeholder is on the line the finding names.
  const lines = text.split('\n');
  for (const finding of findings) assert.ok(lines[finding.line - 1]?.includes(finding.message.replace('unfilled placeholder ', '')));
});

test('the template ends with the verification as the last numbered step', () => {
  const text = writePhasePrompt({ phase: 2, project: 'p', verify: 'npm test' });
  const steps = text.split('\n').filter((l) => /^\d+\. /.test(l));
  assert.equal(steps.at(-1), `${steps.length}. Run \`npm test\`, fix any errors and re-run until it passes, then report final result`);
  assert.ok(text.includes('- Final step: run `npm test` and fix any errors'));
});

test('a filled-in template passes lint with zero findings', () => {
  const text = fillProject(writePhasePrompt(FILLED_INPUT));
  assert.deepEqual(lintPrompt(text), []);
});

test('the generated template only warns about the project placeholder once files, steps and verify are given', () => {
  const findings = lintPrompt(writePhasePrompt(FILLED_INPUT));
  assert.deepEqual(findings.map((f) => [f.rule, f.line]), [['unfilled-placeholder', 4]]);
});

test('readPromptSpec finds the files and the verification in the template output', () => {
  assert.deepEqual(readPromptSpec(writePhasePrompt(FILLED_INPUT)), {
    expectedFiles: ['crates/quarry-core/tests/parse.rs', 'crates/quarry-cli/Cargo.toml'],
    verification: 'cargo check --workspace 2>&1',
  });
});

test('given steps are numbered in order, their own numbering dropped', () => {
  const text = writePhasePrompt({ phase: '5b', project: 'p', verify: 'make test', steps: ['1. Edit `a.c`', 'Edit `b.c`'] });
  assert.ok(text.includes('\n1. Edit `a.c`\n2. Edit `b.c`\n3. Run `make test`'));
  assert.ok(text.startsWith('You are implementing Phase 5b of p'));
});

test('a description ending in a period does not get two', () => {
  assert.ok(writePhasePrompt({ phase: 1, project: 'p', description: 'the parser.' }).startsWith('You are implementing Phase 1 of p: the parser.\n'));
});

test('input that would break the template is refused as a usage error', () => {
  const usage = (fn: () => unknown) => assert.throws(fn, (e: unknown) => e instanceof BatonError && e.kind === 'usage');
  usage(() => writePhasePrompt({ phase: 1, project: 'p', verify: 'echo `x`' }));
  usage(() => writePhasePrompt({ phase: 1, project: '  ' }));
  usage(() => writePhasePrompt({ phase: 1, project: 'p', files: ['my file.ts'] }));
});
