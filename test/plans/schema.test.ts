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

const diamond = (needs: { b?: string; c?: string; d?: string }, extra = '') => `project: x
phases:
  - id: a
    title: A
    prompt: p
  - id: b
    title: B
    prompt: p
    needs: ${needs.b ?? '[a]'}
  - id: c
    title: C
    prompt: p
    needs: ${needs.c ?? '[a]'}
  - id: d
    title: D
    prompt: p
    needs: ${needs.d ?? '[b, c]'}
${extra}`;

test('needs: a diamond is valid, loaded in order, and needs naming numeric ids match them', () => {
  const plan = loadPlan(planFile(`${diamond({})}maxParallel: 2\n`));
  assert.deepEqual(plan.phases.map((p) => [p.id, p.needs]), [['a', []], ['b', ['a']], ['c', ['a']], ['d', ['b', 'c']]]);
  assert.equal(plan.maxParallel, 2);
  const numeric = loadPlan(planFile(`project: x
phases:
  - { id: 1, title: One, prompt: p }
  - { id: 2, title: Two, prompt: p, needs: [1] }
`));
  assert.deepEqual(numeric.phases[1]!.needs, ['1']);
});

test('needs: an unknown phase, the phase itself and a duplicate are located at their needs entry', () => {
  const issues = issuesOf(diamond({ b: '[x]', c: '[c]', d: '[b, c, b]' }));
  assert.deepEqual(issues.map((i) => [i.line, i.column, i.field]), [
    [9, 13, 'phases[1].needs[0]'],
    [13, 13, 'phases[2].needs[0]'],
    [17, 19, 'phases[3].needs[2]'],
  ]);
  assert.equal(issues[0]!.message, 'unknown phase "x"; phases are a, b, c, d');
  assert.equal(issues[1]!.message, 'phase "c" cannot need itself');
  assert.equal(issues[2]!.message, '"b" is listed twice in needs');
});

test('needs: a cycle is named along its arrows and located at one of its needs entries, once', () => {
  const issues = issuesOf(`project: x
phases:
  - { id: a, title: A, prompt: p, needs: [c] }
  - { id: b, title: B, prompt: p, needs: [a] }
  - { id: c, title: C, prompt: p, needs: [b] }
  - { id: d, title: D, prompt: p, needs: [a] }
`);
  assert.equal(issues.length, 1, JSON.stringify(issues));
  assert.deepEqual([issues[0]!.line, issues[0]!.field], [3, 'phases[0].needs[0]']);
  assert.match(issues[0]!.message, /^needs form a cycle: a → c → b → a \(each needs the next\)/);
});

test('needs: order listing a phase before one it needs is located at the order entry', () => {
  const issues = issuesOf(`${diamond({})}order: [a, d, b, c]\n`);
  assert.deepEqual(issues.map((i) => [i.line, i.column, i.field]), [[18, 12, 'order[1]']]);
  assert.equal(issues[0]!.message, 'phase "d" comes before "b", "c", which it needs; list them earlier in order');
  // An order consistent with needs may still differ from the file order.
  assert.deepEqual(loadPlan(planFile(`${diamond({})}order: [a, c, b, d]\n`)).phases.map((p) => p.id), ['a', 'c', 'b', 'd']);
});

test('needs: without order, the file order must list a phase after the phases it needs', () => {
  const issues = issuesOf(`project: x
phases:
  - { id: b, title: B, prompt: p, needs: [a] }
  - { id: a, title: A, prompt: p }
`);
  assert.deepEqual(issues.map((i) => [i.line, i.field]), [[3, 'phases[0].needs[0]']]);
  assert.match(issues[0]!.message, /needs "a", which comes after it in the file .*move "a" above it or add an order/);
  // The same phases with an order that puts a first are fine.
  assert.deepEqual(loadPlan(planFile(`project: x
phases:
  - { id: b, title: B, prompt: p, needs: [a] }
  - { id: a, title: A, prompt: p }
order: [a, b]
`)).phases.map((p) => p.id), ['a', 'b']);
});
