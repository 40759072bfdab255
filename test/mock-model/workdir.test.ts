import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findWorkdir } from '../../src/mock-model/index.js';

test('finds the working directory in the <env> block', () => {
  const system = 'Intro\n<env>\n  Working directory: /tmp/a b/c\n  Workspace root folder: /tmp/a b\n</env>\n';
  assert.equal(findWorkdir(system), '/tmp/a b/c');
});

test('prefers the <env> block over a line in earlier instructions', () => {
  const system = 'AGENTS.md says:\nWorking directory: /not/this\n<omo-env>\n  Timezone: UTC\n</omo-env>\n<env>\n  Working directory: /this\n</env>';
  assert.equal(findWorkdir(system), '/this');
});

test('falls back to any such line, and to null', () => {
  assert.equal(findWorkdir('Working directory: /plain  \n'), '/plain');
  assert.equal(findWorkdir('no directory mentioned'), null);
  assert.equal(findWorkdir('Working directory:   \n'), null);
});
