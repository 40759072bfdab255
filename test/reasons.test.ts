import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reasonFields, renderReason, type Reason, type ReasonKind } from '../src/reasons.js';

const RESET = Date.parse('2026-12-01T15:00:00Z');

/**
 * Each kind with the words Baton has always written for it: `reasons: string[]` is documented, so
 * these sentences must not drift. Keyed by kind, so a new kind does not compile until it is here.
 */
const WORDING: Record<ReasonKind, [Reason, string][]> = {
  'spawn-failed': [[{ kind: 'spawn-failed', message: 'spawn opencode ENOENT' }, 'could not start the agent: spawn opencode ENOENT']],
  killed: [
    [{ kind: 'killed' }, 'killed by baton kill'],
    [{ kind: 'killed', beforeStart: true }, 'killed by baton kill before the agent started'],
    [{ kind: 'killed', whileQueued: true }, 'killed by baton kill while queued; the agent never started'],
  ],
  'over-budget': [
    [{ kind: 'over-budget', cost: 0.5213, maxCost: 0.5 }, 'cost $0.5213 passed the budget of $0.5000 (--max-cost)'],
    [{ kind: 'over-budget', cost: 12.5, maxCost: 10 }, 'cost $12.50 passed the budget of $10.00 (--max-cost)'],
  ],
  'queued-for-slot': [
    [{ kind: 'queued-for-slot', running: 3, cap: 3, ahead: 0 }, 'queued: 3 of 3 agents running (maxConcurrent), first in line'],
    [{ kind: 'queued-for-slot', running: 3, cap: 3, ahead: 2 }, 'queued: 3 of 3 agents running (maxConcurrent), 2 queued before it'],
  ],
  'queued-for-memory': [[{ kind: 'queued-for-memory', freeMb: 180, floorMb: 256 }, 'queued: 180 MB of memory free, below the 256 MB a new agent needs (minFreeMemoryMb)']],
  'queued-for-limit': [
    [
      { kind: 'queued-for-limit', runId: 'k3v9x2ab', runner: 'claude', provider: 'anthropic', resetsAt: RESET },
      'queued: run k3v9x2ab hit a usage limit of claude (anthropic) that lifts at 2026-12-01T15:00:00.000Z; runs of it wait until then (--ignore-limit-breaker starts one anyway)',
    ],
  ],
  timeout: [[{ kind: 'timeout', boundMs: 7_200_000 }, 'timed out after 2h (--timeout)']],
  signal: [[{ kind: 'signal', signal: 'SIGKILL' }, 'agent process killed by SIGKILL from outside Baton']],
  'exit-code': [
    [{ kind: 'exit-code', code: 1 }, 'agent exited with code 1'],
    [{ kind: 'exit-code', code: null }, 'agent exited with code null'],
  ],
  'usage-limit': [
    [{ kind: 'usage-limit', message: 'quota exceeded', resetsAt: null }, 'usage limit reached: quota exceeded; the provider did not say when it resets'],
    [{ kind: 'usage-limit', message: 'quota exceeded', status: 429, resetsAt: RESET }, 'usage limit reached (API 429): quota exceeded; resets at 2026-12-01T15:00:00.000Z'],
    [{ kind: 'usage-limit', message: 'limit hit; resets at 3pm', resetsAt: RESET }, 'usage limit reached: limit hit; resets at 3pm (2026-12-01T15:00:00.000Z)'],
  ],
  'api-error': [
    [{ kind: 'api-error', status: 500, count: 3, message: 'Internal Server Error' }, 'model API 500 x3: Internal Server Error'],
    [{ kind: 'api-error', count: 1, message: 'socket hang up' }, 'model API error: socket hang up'],
  ],
  'agent-error': [[{ kind: 'agent-error', message: 'TypeError: x is undefined' }, 'TypeError: x is undefined']],
  'no-completion-signal': [[{ kind: 'no-completion-signal', signal: '"All tasks completed."' }, 'exited 0 without the completion signal ("All tasks completed.")']],
  'permission-denied': [
    [{ kind: 'permission-denied', tool: 'Bash', detail: 'rm -rf build' }, 'permission denied: Bash rm -rf build'],
    [{ kind: 'permission-denied', tool: 'WebFetch' }, 'permission denied: WebFetch'],
  ],
  'cut-off': [
    [{ kind: 'cut-off', tool: 'edit', path: 'src/lib.rs' }, 'cut off during edit src/lib.rs'],
    [{ kind: 'cut-off', tool: 'bash', command: 'cargo test' }, 'cut off during bash `cargo test`'],
    [{ kind: 'cut-off', tool: 'task' }, 'cut off during task'],
  ],
  'missing-file': [[{ kind: 'missing-file', path: 'crates/x/tests/y.rs' }, 'missing file crates/x/tests/y.rs']],
  'verification-not-run': [[{ kind: 'verification-not-run', command: 'cargo check --workspace' }, 'verification "cargo check --workspace" never ran']],
  'verification-failed': [
    [{ kind: 'verification-failed', command: 'cargo check', exitCode: 101 }, 'verification "cargo check" failed (exit 101) the last time it ran'],
    [{ kind: 'verification-failed', command: 'cargo check' }, 'verification "cargo check" failed the last time it ran'],
  ],
  'verification-cut-off': [[{ kind: 'verification-cut-off', command: 'npm test' }, 'verification "npm test" was cut off']],
  stalled: [[{ kind: 'stalled', forMs: 95_000, boundMs: 90_000 }, 'no output for 1m35s (stall-after 1m30s)']],
  unwatched: [[{ kind: 'unwatched', pid: 4242 }, "Baton's supervisor is gone; the agent (pid 4242) still runs unwatched"]],
  'worker-lost': [
    [{ kind: 'worker-lost', worker: 'w2', host: 'box2', lastSeenAt: Date.UTC(2026, 0, 2, 3, 4, 5) }, 'worker w2 on box2 stopped heartbeating (last seen 2026-01-02T03:04:05.000Z); the run is given up'],
    [{ kind: 'worker-lost', worker: 'w2', host: null, lastSeenAt: null }, 'worker w2 stopped heartbeating (last seen never); the run is given up'],
  ],
  'start-retried': [[{ kind: 'start-retried', times: 2, first: 'EAGAIN' }, 'the agent failed to start 2 time(s) before (EAGAIN)']],
  'disk-full': [
    [{ kind: 'disk-full', home: '/h', code: 'SQLITE_FULL' }, 'Baton could not record this run fully: the disk holding /h is full (SQLITE_FULL); the log and the record stop where the disk filled'],
    [{ kind: 'disk-full', home: '/h' }, 'Baton could not record this run fully: the disk holding /h is full; the log and the record stop where the disk filled'],
  ],
  'store-fault': [[{ kind: 'store-fault', advice: 'disk I/O error on the Baton store /h/baton.db' }, 'Baton could not record this run fully: disk I/O error on the Baton store /h/baton.db; the log and the record stop where the disk filled']],
  'nothing-ran': [[{ kind: 'nothing-ran' }, "Baton's launch was interrupted before the agent started (the launching process or the supervisor died); nothing ran"]],
  'holder-gone': [[{ kind: 'holder-gone', pid: 41 }, 'the process it was queued for (pid 41, a cluster worker) exited before it left the queue; nothing ran, and the lead may hand it to another worker']],
  'outcome-unknown': [[{ kind: 'outcome-unknown' }, "Baton's supervisor died before the agent ended; the agent's outcome is unknown (its exit status was not seen)"]],
  'judged-from-leftovers': [[{ kind: 'judged-from-leftovers' }, "Baton's supervisor died before the agent ended; judged from what the agent left (log, session, files)"]],
};

for (const [kind, cases] of Object.entries(WORDING)) {
  test(`${kind} renders as it always read`, () => {
    for (const [reason, words] of cases) {
      assert.equal(reason.kind, kind);
      assert.equal(renderReason(reason), words);
    }
  });
}

test('a record gets the words and the data together, in the same order', () => {
  const details: Reason[] = [{ kind: 'missing-file', path: 'a.txt' }, { kind: 'verification-not-run', command: 'make' }];
  assert.deepEqual(reasonFields(details), { reasons: ['missing file a.txt', 'verification "make" never ran'], reasonDetails: details });
  assert.deepEqual(reasonFields([]), { reasons: [], reasonDetails: [] });
});

test('a reason survives JSON (the store and every --json output carry it that way)', () => {
  for (const cases of Object.values(WORDING)) {
    for (const [reason, words] of cases) assert.equal(renderReason(JSON.parse(JSON.stringify(reason)) as Reason), words);
  }
});
