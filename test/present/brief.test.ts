import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBrief, formatFullBrief, plainStyle as plain } from '../../src/present/brief.js';
import { makeStyle } from '../../src/cli/style.js';
import { reportRun as summariseRun } from '../../src/mcp/end-report.js';
import { reasonFields } from '../../src/reasons.js';
import type { RunStatus } from '../../src/report.js';

const NOW = Date.parse('2026-11-26T12:00:00Z');

function status(overrides: Partial<RunStatus> = {}): RunStatus {
  return {
    id: 'k3v9x2ab',
    name: 'phase-3',
    runner: 'omo',
    agent: 'Hephaestus - Deep Agent',
    model: 'openai/gpt-5',
    dir: '/work/app',
    state: 'incomplete',
    ...reasonFields([{ kind: 'missing-file', path: 'src/cache.ts' }, { kind: 'verification-not-run', command: 'npm test' }]),
    queuePosition: null,
    sessionId: 'ses_2f1c9a0b7e',
    pid: 4242,
    exitCode: 0,
    signal: null,
    limitResetAt: null,
    startedAt: '2026-11-26T11:50:00.000Z',
    endedAt: '2026-11-26T11:58:20.000Z',
    elapsedMs: 500_000,
    outputLines: 2_431,
    outputBytes: 130_000,
    recentLinesPerMinute: null,
    lastOutputAt: '2026-11-26T11:58:19.000Z',
    lastActivityAt: '2026-11-26T11:58:19.000Z',
    idleMs: 1_000,
    toolCounts: { read: 12, edit: 4, command: 3 },
    filesChanged: ['src/store.ts', 'src/index.ts'],
    filesRead: 9,
    commands: [{ command: 'npm run build', status: 'completed', exitCode: 0 }],
    recentEvents: [{ at: NOW - 2_000, kind: 'tool', summary: 'edit src/store.ts' }],
    errors: [{ message: 'rate limited, retrying', api: true, status: 429, count: 2 }],
    tokens: { input: 120_000, output: 9_000 },
    cost: 0.42,
    finalMessage: '## Done\nStore written; cache left for later.\n\n- 2 files edited',
    retrying: null,
    followUp: 'Continue. You still need: (1) create src/cache.ts (2) run `npm test` and fix any failure.',
    parentId: null,
    log: '/home/u/.local/state/baton/runs/k3v9x2ab/output.log',
    ...overrides,
  };
}

test('the brief holds state, reasons, session, files, the last error, the final message and the next move', () => {
  const brief = formatBrief(status(), plain, NOW);
  assert.match(brief, /^k3v9x2ab incomplete · omo\/Hephaestus · 8m20s · 2,431 lines · exit 0 "phase-3"/);
  assert.match(brief, /session ses_2f1c9a0b7e/);
  assert.match(brief, /changed src\/store\.ts, src\/index\.ts/);
  assert.match(brief, /why {5}missing file src\/cache\.ts\n {8}verification "npm test" never ran/);
  assert.match(brief, /error {3}429 rate limited, retrying \(×2\)/);
  assert.match(brief, /final {3}Done · Store written; cache left for later\. · - 2 files edited/);
  assert.match(brief, /next {4}baton resume k3v9x2ab$/);
  // What the brief leaves to --full: the log path, the dir, tool counts, the follow-up text.
  for (const absent of ['output.log', '/work/app', 'read 12', 'Continue.']) assert.ok(!brief.includes(absent), absent);
});

test('the brief stays a few hundred characters however long the final message or reasons get', () => {
  const long = status({ finalMessage: 'x'.repeat(10_000), ...reasonFields([{ kind: 'agent-error', message: 'y'.repeat(5_000) }]), filesChanged: Array.from({ length: 40 }, (_, i) => `src/file-${i}.ts`) });
  const brief = formatBrief(long, plain, NOW);
  assert.ok(brief.length < 600, `${brief.length} chars`);
  assert.match(brief, /\(\+36 more\)/);
});

test('an error a reason already states is not repeated; an exit a reason states is not either', () => {
  const failed = status({
    state: 'failed',
    exitCode: 1,
    ...reasonFields([{ kind: 'exit-code', code: 1 }, { kind: 'api-error', status: 500, count: 1, message: '500 boom' }]),
    errors: [{ message: '500 boom', api: true, status: 500, count: 1 }],
  });
  const brief = formatBrief(failed, plain, NOW);
  assert.ok(!/^error/m.test(brief), brief);
  assert.ok(!brief.includes('· exit 1'), brief);
});

test('a running run shows when it last wrote and what it is doing, and suggests wait', () => {
  const running = status({ state: 'running', endedAt: null, exitCode: null, ...reasonFields([]), followUp: null, finalMessage: null, lastOutputAt: new Date(NOW - 5_000).toISOString(), recentLinesPerMinute: 340 });
  const brief = formatBrief(running, plain, NOW);
  assert.match(brief, /output {2}last 5s ago · \+340\/min/);
  assert.match(brief, /now {5}edit src\/store\.ts/);
  assert.match(brief, /next {4}baton wait k3v9x2ab$/);
});

test('the full brief adds dir, model, tools, recent events and the whole follow-up', () => {
  const full = formatFullBrief(status(), plain, NOW);
  for (const present of ['/work/app', 'openai/gpt-5', 'read 12', 'edit src/store.ts', '(2) run `npm test` and fix any failure.']) assert.ok(full.includes(present), present);
});

test('MCP structured content: the brief facts by default, everything with detail full', () => {
  const brief = summariseRun(status());
  assert.deepEqual(brief, {
    id: 'k3v9x2ab',
    name: 'phase-3',
    state: 'incomplete',
    reasons: ['missing file src/cache.ts', 'verification "npm test" never ran'],
    sessionId: 'ses_2f1c9a0b7e',
    exitCode: 0,
    elapsedMs: 500_000,
    outputLines: 2_431,
    filesChanged: ['src/store.ts', 'src/index.ts'],
    lastError: '429 rate limited, retrying (×2)',
    finalMessage: 'Done · Store written; cache left for later. · - 2 files edited',
    next: 'resume k3v9x2ab (Baton writes the follow-up)',
  });
  const full = summariseRun(status(), 'full');
  assert.equal(full.followUp, status().followUp);
  assert.equal(full.dir, '/work/app');
  assert.deepEqual(full.toolCounts, { read: 12, edit: 4, command: 3 });
  assert.equal(full.lastCommand, 'npm run build (exit 0)');
});

test('the header drops its exit when a reason of an exit kind names it, whatever other reasons say', () => {
  const wordy = status({ state: 'incomplete', exitCode: 0, ...reasonFields([{ kind: 'agent-error', message: 'the build script exited early' }]) });
  assert.match(formatBrief(wordy, plain, NOW), /· exit 0/);
  const signalled = status({ state: 'failed', exitCode: null, signal: 'SIGKILL', ...reasonFields([{ kind: 'signal', signal: 'SIGKILL' }]) });
  assert.ok(!formatBrief(signalled, plain, NOW).split('\n')[0]!.includes('SIGKILL'), 'the reason already says SIGKILL');
});

test('the shared brief has no colour of its own: the CLI passes its style, MCP the plain one', () => {
  const coloured = formatBrief(status(), makeStyle(true), NOW);
  const uncoloured = formatBrief(status(), plain, NOW);
  assert.ok(coloured.includes('\x1b['), 'the CLI colours it');
  assert.ok(!uncoloured.includes('\x1b['));
  assert.equal(coloured.replace(/\x1b\[\d+m/g, ''), uncoloured);
});
