import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { classifyPhase, DEFAULT_RANGES, expectedRange, judgeElapsed, readPhaseHistory, type PhaseKind } from '../../src/plans/timing.js';
import { openStore, type Store } from '../../src/store/index.js';
import type { PhaseRecord, PhaseState, PlanRunRecord } from '../../src/store/plans.js';
import type { Plan, PlanPhase } from '../../src/plans/schema.js';
import { writePhasePrompt } from '../../src/prompts/index.js';
import { toPlanStatus } from '../../src/plans/service.js';

const MIN = 60_000;

const PROMPTS: Record<PhaseKind, [string, string][]> = {
  'new-files': [
    ['Test files', 'Create crates/x/tests/a.rs and crates/x/tests/b.rs with the test cases below.'],
    ['Fixtures', writePhasePrompt({ phase: 2, project: 'quarry', description: 'sample fixtures', verify: 'ls fixtures', files: ['fixtures/a.json', 'fixtures/b.json'], steps: ['Create fixtures/a.json', 'Create fixtures/b.json'] })],
  ],
  tests: [
    ['Integration tests', writePhasePrompt({ phase: 5, project: 'quarry', description: 'integration tests for the parser', verify: 'cargo test --workspace', files: ['crates/x/Cargo.toml', 'crates/x/tests/parse.rs'], steps: ['Add dev-dependencies to crates/x/Cargo.toml', 'Create crates/x/tests/parse.rs'] })],
    ['Parser', 'Write unit tests for the parser and run npm test until it passes.'],
  ],
  module: [
    ['MCP server', writePhasePrompt({ phase: 6, project: 'quarry', description: 'a new crate quarry-mcp wired into the CLI', verify: 'cargo check --workspace', files: ['crates/quarry-mcp/Cargo.toml', 'crates/quarry-mcp/src/lib.rs', 'crates/quarry-cli/src/main.rs'], steps: ['Create the crate', 'Add a serve subcommand'] })],
    ['Exporter', 'Add the exporter in src/export/index.ts and integrate it with the CLI.'],
  ],
  docs: [
    ['README', 'Write the README: installation, usage, examples.'],
    ['Usage guide', writePhasePrompt({ phase: 8, project: 'quarry', description: 'the usage guide', verify: 'test -s docs/usage.md', files: ['docs/usage.md', 'README.md'], steps: ['Write docs/usage.md'] })],
  ],
};

test('typical phase prompts are classified, with a reason', () => {
  for (const [kind, cases] of Object.entries(PROMPTS)) {
    for (const [title, prompt] of cases) {
      const result = classifyPhase(title, prompt);
      assert.equal(result.kind, kind, `${title}: ${result.reason}`);
      assert.ok(result.reason.length > 0);
    }
  }
  assert.match(classifyPhase('Integration tests', PROMPTS.tests[0]![1]).reason, /crates\/x\/tests\/parse\.rs.*"cargo test"/);
  assert.match(classifyPhase('Test files', PROMPTS['new-files'][0]![1]).reason, /never run/);
  assert.match(classifyPhase('README', 'anything').reason, /the title says "readme"/);
});

test('default ranges follow the seed notes', () => {
  const minutes = (kind: PhaseKind) => {
    const range = expectedRange(kind);
    assert.equal(range.source, 'default');
    assert.equal(range.samples, 0);
    return [range.minMs / MIN, range.maxMs / MIN];
  };
  assert.deepEqual(minutes('new-files'), [2, 3]);
  assert.deepEqual(minutes('tests'), [5, 8]);
  assert.deepEqual(minutes('module'), [8, 12]);
  assert.deepEqual(minutes('docs'), [2, 3]);
  // Fewer than three samples: still the default.
  const sample = (durationMs: number) => ({ planRunId: 'p', phaseId: '1', title: 't', durationMs, endedAt: 0, reason: '' });
  assert.deepEqual(expectedRange('tests', { tests: [sample(MIN), sample(2 * MIN)] }), { ...DEFAULT_RANGES.tests, source: 'default', samples: 0 });
  // Five samples: the 25th to 75th percentile.
  const five = [10, 2, 4, 8, 6].map((m) => sample(m * MIN));
  assert.deepEqual(expectedRange('tests', { tests: five }), { minMs: 4 * MIN, maxMs: 8 * MIN, source: 'history', samples: 5 });
});

test('judgeElapsed: early, on-track, over and far-over at the boundaries', () => {
  const range = expectedRange('tests');
  assert.deepEqual(judgeElapsed(5 * MIN - 1000, range), { status: 'early', message: '4m59s, expected 5–8m: before the expected range' });
  assert.equal(judgeElapsed(5 * MIN, range).status, 'on-track');
  assert.deepEqual(judgeElapsed(8 * MIN, range), { status: 'on-track', message: '8m, expected 5–8m: within the expected range' });
  assert.deepEqual(judgeElapsed(8 * MIN + 1000, range), { status: 'over', message: '8m1s, expected 5–8m: past the upper bound' });
  assert.equal(judgeElapsed(16 * MIN, range).status, 'over');
  assert.deepEqual(judgeElapsed(17 * MIN, range), { status: 'far-over', message: '17m, expected 5–8m: past twice the upper bound' });
  const history = { minMs: 4.5 * MIN, maxMs: 7 * MIN, source: 'history' as const, samples: 6 };
  assert.equal(judgeElapsed(15 * MIN, history).message, '15m, expected 4m30s–7m (from 6 past phases): past twice the upper bound');
});

function tempStore(t: { after(fn: () => void): void }): Store {
  const dir = mkdtempSync(join(tmpdir(), 'baton-timing-'));
  const store = openStore(dir);
  t.after(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return store;
}

interface Row {
  title: string;
  prompt: string;
  minutes: number;
  state?: PhaseState;
}

let runs = 0;
function insertRun(store: Store, rows: Row[]): void {
  const id = `plan${++runs}`;
  const start = 1_700_000_000_000 + runs * 3_600_000;
  // Only each phase's id and prompt matter here; the cast keeps the test clear of unrelated plan fields.
  const phases = rows.map((row, i) => ({ id: String(i + 1), title: row.title, prompt: row.prompt, files: [], runner: 'omo', verify: [], maxResumes: 2, maxFixes: 2 })) as unknown as PlanPhase[];
  const records: Omit<PhaseRecord, 'updatedAt'>[] = rows.map((row, i) => ({
    planRunId: id,
    phaseId: String(i + 1),
    position: i,
    title: row.title,
    state: row.state ?? 'committed',
    reasons: [],
    attempts: [],
    resumes: 0,
    fixes: 0,
    currentRunId: null,
    baseTree: null,
    userDirty: null,
    verification: null,
    commitSha: null,
    committedPaths: null,
    worktree: null,
    merge: null,
    startedAt: start + i * 60 * MIN,
    endedAt: row.state === 'running' ? null : start + i * 60 * MIN + row.minutes * MIN,
  }));
  const plan = { file: '/tmp/plan.yaml', project: 'quarry', dir: '/tmp', phases } as Plan;
  const record = { id, planFile: '/tmp/plan.yaml', project: 'quarry', dir: '/tmp', repoRoot: '/tmp', state: 'completed', reasons: [], plan, driverPid: null, stopRequestedAt: null, hooks: {}, createdAt: start, endedAt: start + 1 };
  store.plans.insertPlanRun(record as unknown as Omit<PlanRunRecord, 'updatedAt'>, records);
}

const TESTS_PROMPT = 'Write tests for the parser in tests/parse.rs, then run cargo test.';

test('history: committed phases from the store, classified by their prompts, replace the default', (t) => {
  const store = tempStore(t);
  assert.deepEqual(readPhaseHistory(store.plans), { 'new-files': [], tests: [], module: [], docs: [] });

  insertRun(store, [
    { title: 'Parser tests', prompt: TESTS_PROMPT, minutes: 3 },
    { title: 'README', prompt: 'Write the README.', minutes: 1 },
    { title: 'Lexer tests', prompt: TESTS_PROMPT, minutes: 4 },
  ]);
  let history = readPhaseHistory(store.plans);
  assert.equal(history.tests.length, 2);
  assert.equal(history.docs.length, 1);
  assert.deepEqual(history.tests.map((s) => s.durationMs).sort(), [3 * MIN, 4 * MIN]);
  assert.equal(expectedRange('tests', history).source, 'default', 'two samples are not enough');

  // Blocked and unfinished phases do not count; the third committed tests phase does.
  insertRun(store, [
    { title: 'More tests', prompt: TESTS_PROMPT, minutes: 30, state: 'blocked' },
    { title: 'Stuck tests', prompt: TESTS_PROMPT, minutes: 0, state: 'running' },
    { title: 'Cli tests', prompt: TESTS_PROMPT, minutes: 6 },
    { title: 'Db tests', prompt: TESTS_PROMPT, minutes: 5 },
  ]);
  history = readPhaseHistory(store.plans);
  assert.equal(history.tests.length, 4);
  assert.ok(history.tests.every((s) => /cargo test/.test(s.reason)));
  const range = expectedRange('tests', history);
  // Durations 3, 4, 5, 6 minutes: 25th percentile 3.75m, 75th 5.25m.
  assert.deepEqual(range, { minMs: 3.75 * MIN, maxMs: 5.25 * MIN, source: 'history', samples: 4 });
  assert.equal(judgeElapsed(12 * MIN, range).status, 'far-over');
  assert.equal(expectedRange('docs', history).source, 'default');
  // The limit keeps the most recent phases only.
  assert.equal(readPhaseHistory(store.plans, 2).tests.length, 2);
});

test('a phase is judged against the other phases in the history, never against its own duration', (t) => {
  const store = tempStore(t);
  insertRun(store, [
    { title: 'Parser tests', prompt: TESTS_PROMPT, minutes: 3 },
    { title: 'Lexer tests', prompt: TESTS_PROMPT, minutes: 4 },
    { title: 'Cli tests', prompt: TESTS_PROMPT, minutes: 5 },
  ]);
  const own = store.plans.latestPlanRun()!;
  const history = readPhaseHistory(store.plans);
  assert.equal(expectedRange('tests', history).source, 'history', 'three samples make a history');
  const status = toPlanStatus(own, store.plans.phases(own.id), false, history);
  assert.ok(status.phases.every((p) => p.timing?.expectedMinMs === DEFAULT_RANGES.tests.minMs), 'each phase sees only the two others: too few');

  insertRun(store, [{ title: 'Db tests', prompt: TESTS_PROMPT, minutes: 6 }]);
  const later = toPlanStatus(store.plans.latestPlanRun()!, store.plans.phases(store.plans.latestPlanRun()!.id), false, readPhaseHistory(store.plans));
  assert.equal(later.phases[0]!.timing?.source, 'history', "the next plan is judged by the first one's phases");
});
