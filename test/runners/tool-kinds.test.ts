import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toolKindOf } from '../../src/runners/tool-kinds.js';

test('tool names map to kinds, case-insensitively, unknown names to other', () => {
  const cases: [string, string][] = [
    ['read', 'read'],
    ['Read', 'read'],
    ['write', 'write'],
    ['Write', 'write'],
    ['edit', 'edit'],
    ['Edit', 'edit'],
    ['apply_patch', 'edit'],
    ['multiedit', 'edit'],
    ['bash', 'command'],
    ['$', 'command'],
    ['interactive_bash', 'command'],
    ['glob', 'search'],
    ['grep', 'search'],
    ['todowrite', 'todo'],
    ['task', 'task'],
    ['webfetch', 'other'],
    ['invalid', 'other'],
    ['skill', 'other'],
    ['context7_query-docs', 'other'],
    ['', 'other'],
    ['constructor', 'other'],
    ['__proto__', 'other'],
    ['toString', 'other'],
  ];
  for (const [tool, kind] of cases) assert.equal(toolKindOf(tool), kind, tool);
});
