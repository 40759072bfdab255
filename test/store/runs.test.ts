import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from '../../src/store/index.js';
import { MIGRATIONS } from '../../src/store/schema.js';
import { emptyDigest } from '../../src/digest.js';
import type { NewRun } from '../../src/store/runs.js';
import { reasonFields, type Reason } from '../../src/reasons.js';

function sampleRun(id: string, overrides: Partial<NewRun> = {}): NewRun {
  return {
    id, name: null, runner: 'omo', agent: 'hephaestus', model: null, dir: '/repo', prompt: 'do it', promptFile: null,
    parentId: null, executor: 'local', host: 'h', pid: null, pgid: null, supervisorPid: null, sessionId: null,
    state: 'running', reasons: [], exitCode: null, limitResetAt: null, signal: null, killRequestedAt: null, createdAt: Date.now(),
    startedAt: null, endedAt: null, stallAfterMs: 1000, timeoutMs: null, logPath: '/x.log', outputBytes: 0,
    outputLines: 0, parsedOffset: 0, lastOutputAt: null, lastActivityAt: null, digest: emptyDigest(),
    finalMessage: null, baseline: null, sessionEnv: {}, runnerOptions: {}, ...overrides,
  };
}

test('a run round-trips with its JSON fields', () => {
  const store = openStore(mkdtempSync(join(tmpdir(), 'baton-store-')));
  store.runs.insert(sampleRun('abc12345', { reasons: ['missing file a'], sessionEnv: { XDG_DATA_HOME: '/d' } }));
  const run = store.runs.get('abc12345')!;
  assert.deepEqual(run.reasons, ['missing file a']);
  assert.deepEqual(run.sessionEnv, { XDG_DATA_HOME: '/d' });
  assert.equal(run.digest.completionSeen, false);
  store.close();
});

test('updateIfState never overwrites a verdict', () => {
  const store = openStore(mkdtempSync(join(tmpdir(), 'baton-store-')));
  store.runs.insert(sampleRun('r1'));
  store.runs.update('r1', { state: 'killed' });
  assert.equal(store.runs.updateIfState('r1', ['running', 'stalled'], { state: 'stalled' }), false);
  assert.equal(store.runs.get('r1')!.state, 'killed');
  store.close();
});

test('ids resolve by prefix, LIKE wildcards taken literally', () => {
  const store = openStore(mkdtempSync(join(tmpdir(), 'baton-store-')));
  store.runs.insert(sampleRun('abcd1111'));
  store.runs.insert(sampleRun('abce2222'));
  assert.deepEqual(store.runs.idsWithPrefix('abcd'), ['abcd1111']);
  assert.equal(store.runs.idsWithPrefix('abc').length, 2);
  assert.deepEqual(store.runs.idsWithPrefix('ab%'), []);
  store.close();
});

test('the schema is versioned and a newer store is refused with a clear message', () => {
  const home = mkdtempSync(join(tmpdir(), 'baton-store-'));
  openStore(home).close();
  const db = new Database(join(home, 'baton.db'));
  assert.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.length);
  db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
  db.close();
  assert.throws(() => openStore(home), /newer than this Baton knows/);
});

test('status with no ids shows the latest ended run whatever state it ended in, limited included', async () => {
  const { Baton } = await import('../../src/baton.js');
  const home = mkdtempSync(join(tmpdir(), 'baton-store-'));
  const baton = new Baton({ home });
  baton.store.runs.insert(sampleRun('old00001', { state: 'completed', createdAt: Date.now() - 60_000, endedAt: Date.now() - 50_000 }));
  baton.store.runs.insert(sampleRun('new00001', { state: 'limited', reasons: ['usage limit reached'], createdAt: Date.now() - 1_000, endedAt: Date.now() }));
  assert.deepEqual(baton.status().map((s) => [s.id, s.state]), [['new00001', 'limited']]);
  baton.close();
});

test('the structured reasons round-trip through the store beside their words', () => {
  const store = openStore(mkdtempSync(join(tmpdir(), 'baton-store-')));
  store.runs.insert(sampleRun('rsn00001'));
  assert.deepEqual(store.runs.get('rsn00001')!.reasonDetails, []);
  const details: Reason[] = [{ kind: 'missing-file', path: 'b.txt' }, { kind: 'verification-failed', command: 'make check', exitCode: 2 }];
  store.runs.update('rsn00001', { state: 'incomplete', ...reasonFields(details) });
  const run = store.runs.get('rsn00001')!;
  assert.deepEqual(run.reasonDetails, details);
  assert.deepEqual(run.reasons, ['missing file b.txt', 'verification "make check" failed (exit 2) the last time it ran']);
  store.close();
});

test('a run recorded before the reason_details column keeps its words and presents no details', () => {
  const home = mkdtempSync(join(tmpdir(), 'baton-store-'));
  // A store as the previous Baton left it: every migration but the last, and a run with words only.
  const db = new Database(join(home, 'baton.db'));
  const before = MIGRATIONS.findIndex((sql) => sql.includes('reason_details'));
  assert.ok(before > 0);
  for (const sql of MIGRATIONS.slice(0, before)) db.exec(sql);
  db.pragma(`user_version = ${before}`);
  db.prepare(
    "INSERT INTO runs (id, runner, dir, prompt, state, reasons, created_at, stall_after_ms, log_path, updated_at) VALUES ('old00001', 'omo', '/repo', 'do it', 'incomplete', ?, 1, 1000, '/x.log', 1)",
  ).run(JSON.stringify(['missing file a.txt']));
  db.close();
  const store = openStore(home);
  const run = store.runs.get('old00001')!;
  assert.deepEqual(run.reasons, ['missing file a.txt']);
  assert.deepEqual(run.reasonDetails, []);
  store.close();
});

test('status --json shows reasonDetails beside reasons', async () => {
  const { runCli } = await import('../e2e/harness.js');
  const home = mkdtempSync(join(tmpdir(), 'baton-store-'));
  const store = openStore(home);
  const details: Reason[] = [{ kind: 'timeout', boundMs: 4_000 }, { kind: 'api-error', status: 502, count: 1, message: 'Bad Gateway' }];
  store.runs.insert(sampleRun('json0001', { state: 'failed', ...reasonFields(details), startedAt: Date.now() - 5_000, endedAt: Date.now() }));
  store.close();
  const status = await runCli(['status', '--json', 'json0001'], { ...process.env, BATON_HOME: home, NO_COLOR: '1' }, 60_000);
  assert.equal(status.code, 0, status.stderr);
  const run = status.json;
  assert.deepEqual(run.reasons, ['timed out after 4s (--timeout)', 'model API 502: Bad Gateway']);
  assert.deepEqual(run.reasonDetails, details);
});
