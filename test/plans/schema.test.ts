import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPlan, PlanError } from '../../src/plans/schema.js';

function planFile(text: string, extra: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'baton-plan-schema-'));
  for (const [name, content] of Object.entries(extra)) writeFileSync(join(dir, name), content);
  const file = join(dir, 'plan.yaml');
  writeFileSync(file, text);
  return file;
}

function issuesOf(text: string) {
  const file = planFile(text);
  try {
    loadPlan(file);
  } catch (error) {
    assert.ok(error instanceof PlanError, String(error));
    return error.issues.map(({ line, column, field, message }) => ({ line, column, field, message }));
  }
  assert.fail('expected the plan to be refused');
}

test('a valid plan: defaults merged, order applied, prompt files read', () => {
  const file = planFile(
    `project: quarry
defaults:
  runner: opencode
  verify: ["cargo check --workspace", "cargo test"]
  maxResumes: 1
phases:
  - id: 5
    title: Tests
    promptFile: p5.txt
    files: [tests/a.rs]
  - id: "6"
    title: CLI
    prompt: inline prompt
    verify: ["cargo test -p cli"]
order: ["6", "5"]
`,
    { 'p5.txt': 'phase five prompt' },
  );
  const plan = loadPlan(file);
  assert.deepEqual(plan.phases.map((p) => p.id), ['6', '5']);
  const [six, five] = plan.phases;
  assert.deepEqual(six!.verify, ['cargo test -p cli']);
  assert.equal(five!.prompt, 'phase five prompt');
  assert.deepEqual(five!.verify, ['cargo check --workspace', 'cargo test']);
  assert.equal(five!.maxResumes, 1);
  assert.equal(five!.maxFixes, 2);
  assert.equal(five!.runner, 'opencode');
});

test('wrong types are located by line and field', () => {
  const issues = issuesOf(`project: x
phases:
  - id: a
    title: 42
    prompt: p
`);
  assert.deepEqual(issues, [{ line: 4, column: 12, field: 'phases[0].title', message: 'Invalid input: expected string, received number' }]);
});

test('unknown keys are named where they stand', () => {
  const issues = issuesOf(`project: x
phases:
  - id: a
    title: t
    prompt: p
    verfy: [x]
`);
  assert.equal(issues[0]!.field, 'phases[0].verfy');
  assert.equal(issues[0]!.line, 6);
  assert.match(issues[0]!.message, /Unrecognized key/);
});

test('duplicate ids, missing prompt files, unknown order entries and bad durations', () => {
  const issues = issuesOf(`project: x
defaults: { timeout: soon }
phases:
  - { id: a, title: t, prompt: p }
  - { id: a, title: u, promptFile: nowhere.txt }
order: [a, zz]
`);
  const fields = issues.map((i) => i.field);
  assert.ok(fields.includes('defaults.timeout'), JSON.stringify(issues));
  assert.match(issues.find((i) => i.field === 'defaults.timeout')!.message, /duration/);
  // The duration error is found by the schema first; fix it to see the next layer of checks.
  const later = issuesOf(`project: x
phases:
  - { id: a, title: t, prompt: p }
  - { id: a, title: u, promptFile: nowhere.txt }
order: [a, zz]
`);
  assert.deepEqual(later.map((i) => [i.line, i.field]), [[4, 'phases[1].id'], [4, 'phases[1].promptFile'], [5, 'order[1]']]);
  assert.match(later[0]!.message, /duplicate phase id "a"/);
  assert.match(later[1]!.message, /nowhere\.txt does not exist/);
  assert.match(later[2]!.message, /unknown phase "zz"/);
});

test('a phase needs exactly one of prompt or promptFile', () => {
  const issues = issuesOf(`project: x
phases:
  - { id: a, title: t }
`);
  assert.match(issues[0]!.message, /exactly one of prompt/);
  assert.equal(issues[0]!.line, 3);
});

test('bad YAML is located too', () => {
  const issues = issuesOf(`project: x
phases:
  - id: a
   title: broken indentation
`);
  assert.match(issues[0]!.message, /^invalid YAML/);
  assert.ok(issues[0]!.line >= 3);
});

test('plan durations are bounded like the CLI flags: zero and more than 366d are refused with the range', () => {
  const issues = issuesOf(`project: x
defaults: { timeout: 400d, stallAfter: 0s }
phases:
  - { id: a, title: t, prompt: p, timeout: 3w }
`);
  const byField = new Map(issues.map((i) => [i.field, i.message]));
  assert.match(byField.get('defaults.timeout') ?? '', /from 1ms to 366d/, JSON.stringify(issues));
  assert.match(byField.get('defaults.stallAfter') ?? '', /from 1ms to 366d/, JSON.stringify(issues));
  assert.ok(!byField.has('phases[0].timeout'), '3w is a valid duration');
});
