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
