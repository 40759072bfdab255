import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideFinalState, type FinalStateInput } from '../../src/detect/final-state.js';
import { applyEvent, emptyDigest } from '../../src/digest.js';
import type { RunEvent } from '../../src/events.js';

function input(events: RunEvent[], overrides: Partial<FinalStateInput> = {}): FinalStateInput {
  const digest = emptyDigest();
  for (const event of events) applyEvent(digest, event);
  return {
    end: { exitCode: 0, signal: null, killRequested: false },
    digest,
    spec: { expectedFiles: [] },
    missingFiles: [],
    unfinishedTools: [],
    completionSignal: '"All tasks completed."',
    ...overrides,
  };
}

const completion: RunEvent = { kind: 'completion' };

test('exit 0 with the completion signal and nothing pending is completed', () => {
  assert.deepEqual(decideFinalState(input([completion])), { state: 'completed', reasons: [] });
});

test('exit 0 without the completion signal is incomplete and says so', () => {
  const verdict = decideFinalState(input([]));
  assert.equal(verdict.state, 'incomplete');
  assert.match(verdict.reasons[0]!, /without the completion signal \("All tasks completed\."\)/);
});

test('a tool still running at the end is a cut-off, named with its path', () => {
  const verdict = decideFinalState(
    input([{ kind: 'tool', callId: 'c1', tool: 'edit', toolKind: 'edit', status: 'running', path: 'src/lib.rs' }, completion]),
  );
  assert.equal(verdict.state, 'incomplete');
  assert.deepEqual(verdict.reasons, ['cut off during edit src/lib.rs']);
});

test('unfinished tools from the session store count too', () => {
  const verdict = decideFinalState(input([completion], { unfinishedTools: [{ tool: 'bash', status: 'pending', command: 'cargo test' }] }));
  assert.deepEqual(verdict.reasons, ['cut off during bash `cargo test`']);
});

test('missing files and a verification that never ran are listed', () => {
  const verdict = decideFinalState(
    input([completion], { spec: { expectedFiles: ['a.rs', 'b.rs'], verification: 'cargo check --workspace' }, missingFiles: ['b.rs'] }),
  );
  assert.equal(verdict.state, 'incomplete');
  assert.deepEqual(verdict.reasons, ['missing file b.rs', 'verification "cargo check --workspace" never ran']);
});

test('the last run of the verification decides, not the first', () => {
  const ran = (exitCode: number, id: string): RunEvent => ({ kind: 'tool', callId: id, tool: 'bash', toolKind: 'command', status: 'completed', command: 'cargo check --workspace 2>&1', exitCode });
  const spec = { expectedFiles: [], verification: 'cargo check --workspace' };
  assert.equal(decideFinalState(input([ran(101, 'a'), ran(0, 'b'), completion], { spec })).state, 'completed');
  const failedLast = decideFinalState(input([ran(0, 'a'), ran(101, 'b'), completion], { spec }));
  assert.deepEqual(failedLast.reasons, ['verification "cargo check --workspace" failed (exit 101) the last time it ran']);
});

test('non-zero exit fails with the API errors as reasons', () => {
  const error: RunEvent = { kind: 'error', message: 'Internal Server Error', api: true, status: 500 };
  const verdict = decideFinalState(input([error, error, error], { end: { exitCode: 1, signal: null, killRequested: false } }));
  assert.equal(verdict.state, 'failed');
  assert.deepEqual(verdict.reasons, ['agent exited with code 1', 'model API 500 x3: Internal Server Error']);
});

test('exit 0 after API errors without completion is failed, not incomplete', () => {
  const verdict = decideFinalState(input([{ kind: 'error', message: 'Bad Gateway', api: true, status: 502 }]));
  assert.equal(verdict.state, 'failed');
  assert.match(verdict.reasons[0]!, /model API 502/);
});

test('a kill requested through Baton is killed; a signal from elsewhere is failed', () => {
  assert.equal(decideFinalState(input([], { end: { exitCode: null, signal: 'SIGTERM', killRequested: true } })).state, 'killed');
  const external = decideFinalState(input([], { end: { exitCode: null, signal: 'SIGKILL', killRequested: false } }));
  assert.equal(external.state, 'failed');
  assert.match(external.reasons[0]!, /SIGKILL from outside Baton/);
});

test('a timeout says how long it waited', () => {
  const verdict = decideFinalState(input([], { end: { exitCode: null, signal: 'SIGTERM', killRequested: false, timedOutAfterMs: 7_200_000 } }));
  assert.deepEqual(verdict, { state: 'failed', reasons: ['timed out after 2h (--timeout)'] });
});
