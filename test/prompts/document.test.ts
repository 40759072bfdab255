import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePromptDocument } from '../../src/prompts/index.js';

test('sections, steps and their line numbers; continuation lines join their step', () => {
  const doc = parsePromptDocument(['Intro', '## Files to Create/Modify', '- `a.ts`', '## Steps', '1. Edit `a.ts`', '   adding `f`', '2) Run `npm test`', ''].join('\n'));
  assert.deepEqual(doc.sections.map((s) => [s.title, s.line]), [['', 0], ['Files to Create/Modify', 2], ['Steps', 4]]);
  assert.equal(doc.filesSections.length, 1);
  assert.equal(doc.stepsSection?.line, 4);
  assert.deepEqual(doc.steps.map((s) => [s.ordinal, s.line, s.text]), [[1, 5, 'Edit `a.ts` adding `f`'], [2, 7, 'Run `npm test`']]);
  assert.deepEqual(doc.steps[0]?.lines.map((l) => l.number), [5, 6]);
  assert.deepEqual(doc.spec, { expectedFiles: ['a.ts'], verification: 'npm test' });
});

test('code fences are skipped: no headings or steps from inside them', () => {
  const doc = parsePromptDocument(['## Steps', '1. Edit `a.ts`', '```', '## Not a heading', '2. not a step', '```', '2. Run `make`'].join('\n'));
  assert.deepEqual(doc.sections.map((s) => s.title), ['', 'Steps']);
  assert.deepEqual(doc.steps.map((s) => s.line), [2, 7]);
  assert.ok(!doc.prose.some((l) => l.text.includes('not a step')));
});
