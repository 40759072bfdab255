import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunStatus } from '../../src/report.js';
import { timelineOf } from '../../src/ui/views.js';

const base = { recentEvents: [], commands: [], errors: [] } as unknown as RunStatus;

test('timeline: a command the runner reported without a time or exit in its event shows once, with the exit from its record', () => {
  const status = {
    ...base,
    recentEvents: [
      { at: 1_000, kind: 'tool', summary: 'write src/greet.js' },
      { at: 2_000, kind: 'tool', summary: 'bash node --test' },
      { at: 3_000, kind: 'completion', summary: 'All tasks completed.' },
    ],
    commands: [{ command: 'node --test', status: 'completed', exitCode: 0 }],
  } as unknown as RunStatus;
  assert.deepEqual(timelineOf(status), [
    { at: 1_000, kind: 'write', summary: 'write src/greet.js' },
    { at: 2_000, kind: 'bash', summary: 'bash node --test', exitCode: 0 },
    { at: 3_000, kind: 'completion', summary: 'All tasks completed.' },
  ]);
});

test('timeline: commands older than the recent events come first; errors no event mentions come last', () => {
  const status = {
    ...base,
    recentEvents: [{ at: 5_000, kind: 'tool', summary: 'edit a.ts' }],
    commands: [{ command: 'npm ci', status: 'completed', exitCode: 0, at: 1_000 }],
    errors: [{ message: 'rate limited', api: true, status: 429, count: 3 }],
  } as unknown as RunStatus;
  assert.deepEqual(
    timelineOf(status).map((e) => [e.kind, e.summary, e.exitCode]),
    [
      ['command', 'npm ci', 0],
      ['edit', 'edit a.ts', undefined],
      ['error', '429 rate limited (×3)', undefined],
    ],
  );
});
