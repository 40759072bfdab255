import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEvent, emptyDigest, filesChanged } from '../src/digest.js';

test('a tool reported running then completed counts once and closes', () => {
  const digest = emptyDigest();
  applyEvent(digest, { kind: 'tool', callId: 'a', tool: 'bash', toolKind: 'command', status: 'running', command: 'npm test' });
  assert.deepEqual(Object.keys(digest.openTools), ['a']);
  applyEvent(digest, { kind: 'tool', callId: 'a', tool: 'bash', toolKind: 'command', status: 'completed', command: 'npm test', exitCode: 1 });
  assert.deepEqual(digest.openTools, {});
  assert.equal(digest.toolCounts.command, 1);
  assert.deepEqual(digest.commands, [{ command: 'npm test', status: 'completed', exitCode: 1 }]);
});

test('files are split by what the agent did to them', () => {
  const digest = emptyDigest();
  applyEvent(digest, { kind: 'tool', callId: '1', tool: 'read', toolKind: 'read', status: 'completed', path: 'a.ts' });
  applyEvent(digest, { kind: 'tool', callId: '2', tool: 'edit', toolKind: 'edit', status: 'completed', path: 'a.ts' });
  applyEvent(digest, { kind: 'tool', callId: '3', tool: 'write', toolKind: 'write', status: 'completed', path: 'b.ts' });
  applyEvent(digest, { kind: 'tool', callId: '4', tool: 'write', toolKind: 'write', status: 'error', path: 'c.ts' });
  assert.deepEqual(digest.filesRead, ['a.ts']);
  assert.deepEqual(filesChanged(digest), ['a.ts', 'b.ts']);
});

test('repeated errors are counted, not listed again', () => {
  const digest = emptyDigest();
  for (let i = 0; i < 3; i++) applyEvent(digest, { kind: 'error', message: 'boom', api: true, status: 500 });
  assert.equal(digest.errors.length, 1);
  assert.equal(digest.errors[0]!.count, 3);
});

test('new work after a completion signal withdraws it', () => {
  const digest = emptyDigest();
  applyEvent(digest, { kind: 'completion' });
  applyEvent(digest, { kind: 'tool', callId: 'x', tool: 'bash', toolKind: 'command', status: 'running', command: 'make' });
  assert.equal(digest.completionSeen, false);
});

test('recent events stay bounded', () => {
  const digest = emptyDigest();
  for (let i = 0; i < 100; i++) applyEvent(digest, { kind: 'text', text: `line ${i}` });
  assert.ok(digest.recent.length <= 30);
  assert.equal(digest.finalMessage, 'line 99');
});
