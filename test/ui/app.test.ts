import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Baton } from '../../src/baton.js';
import { emptyDigest } from '../../src/digest.js';
import { Plans } from '../../src/plans/service.js';
import { RUN_STATES, type NewRun } from '../../src/store/runs.js';
import { csrfFor } from '../../src/ui/auth.js';
import { createUiApp } from '../../src/ui/app.js';
import type { FeedMessage } from '../../src/ui/live.js';
import { PAGE_STATE_SETS } from '../../src/ui/page-states.js';
import { freePort } from '../../src/supervise/free-port.js';
import { waitFor } from '../wait-for.js';

const TOKEN = 'test-token-0123456789abcdef';
const CSRF = csrfFor(TOKEN);
const AUTH = { authorization: `Bearer ${TOKEN}` };

function sampleRun(id: string, overrides: Partial<NewRun> = {}): NewRun {
  const now = Date.now();
  return {
    id, name: null, runner: 'omo', agent: 'hephaestus', model: 'mock/gpt', dir: '/repo', prompt: 'Create src/a.ts', promptFile: null,
    parentId: null, executor: 'local', host: 'h', pid: null, pgid: null, supervisorPid: null, sessionId: 'ses_1',
    state: 'completed', reasons: [], exitCode: 0, limitResetAt: null, signal: null, killRequestedAt: null, createdAt: now,
    startedAt: now - 60_000, endedAt: now, stallAfterMs: 300_000, timeoutMs: null, logPath: '/nonexistent.log', outputBytes: 0,
    outputLines: 0, parsedOffset: 0, lastOutputAt: null, lastActivityAt: null, digest: emptyDigest(),
    finalMessage: null, baseline: null, sessionEnv: {}, runnerOptions: {}, ...overrides,
  };
}

function world() {
  const home = mkdtempSync(join(tmpdir(), 'baton-ui-app-'));
  const baton = new Baton({ home, env: { ...process.env, BATON_HOME: home } });
  const plans = new Plans(baton);
  const { app, feed } = createUiApp({ baton, plans, token: TOKEN, pollMs: 20 });
  return { home, baton, plans, app, feed };
}

/** Until the clock has moved past `stamp`, so the next write gets a later updated_at than it. */
const clockPast = (stamp: number) => waitFor(() => Date.now() > stamp, { what: 'the clock to move on', intervalMs: 1, timeoutMs: 5_000 });

test('without the token: 401 and no data, for the page, the API and the streams', async () => {
  const { app, baton } = world();
  baton.store.runs.insert(sampleRun('secret01', { name: 'do-not-leak' }));
  for (const path of ['/', '/api/runs', '/api/runs/secret01', '/api/stream', '/api/plans', '/assets/app.js']) {
    for (const headers of [{}, { authorization: "Bearer wrong" }, { cookie: "baton_ui=wrong" }] as Record<string, string>[]) {
      const response = await app.request(path, { headers });
      assert.equal(response.status, 401, `${path} ${JSON.stringify(headers)}`);
      const body = await response.text();
      assert.ok(!body.includes('secret01') && !body.includes('do-not-leak'), body);
    }
  }
  const wrongQuery = await app.request('/?token=nope');
  assert.equal(wrongQuery.status, 401);
  assert.equal(wrongQuery.headers.get('set-cookie'), null);
  baton.close();
});

test('the token in the URL becomes an HttpOnly SameSite=Strict cookie, and the page carries the anti-forgery value', async () => {
  const { app, baton } = world();
  const first = await app.request(`/?token=${TOKEN}`);
  assert.equal(first.status, 303);
  assert.equal(first.headers.get('location'), '/');
  const cookie = first.headers.get('set-cookie')!;
  assert.match(cookie, /^baton_ui=test-token-0123456789abcdef;/);
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);
  // Each dashboard's cookie is named after its port, so two of them do not log each other out.
  const onPort = await app.request(`http://127.0.0.1:4321/?token=${TOKEN}`);
  assert.match(onPort.headers.get('set-cookie') ?? '', /^baton_ui_4321=/);
  const page = await app.request('/', { headers: { cookie: cookie.split(';')[0]! } });
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.ok(html.includes(`<meta name="baton-csrf" content="${CSRF}">`));
  assert.ok(!html.includes(TOKEN), 'the page never echoes the token');
  assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/);
  baton.close();
});

test('a Host the server does not answer to is refused (DNS rebinding)', async () => {
  const { app, baton } = world();
  const response = await app.request('http://evil.example/api/runs', { headers: AUTH });
  assert.equal(response.status, 421);
  baton.close();
});

test('runs page newest first with a total, filter by state and dir, bad filters named', async () => {
  const { app, baton } = world();
  const base = Date.now() - 1_000_000;
  for (let i = 0; i < 120; i++) {
    baton.store.runs.insert(sampleRun(`run${String(i).padStart(5, '0')}`, { createdAt: base + i, state: i % 3 === 0 ? 'failed' : 'completed', dir: i % 2 === 0 ? '/even' : '/odd' }));
  }
  const page2 = (await (await app.request('/api/runs?offset=50&limit=50', { headers: AUTH })).json()) as any;
  assert.equal(page2.total, 120);
  assert.equal(page2.runs.length, 50);
  assert.equal(page2.runs[0].id, 'run00069');
  assert.deepEqual(new Set(page2.dirs), new Set(['/even', '/odd']));
  assert.ok(Array.isArray(page2.runs[0].growth));
  assert.equal(typeof page2.runs[0].expected.maxMs, 'number');

  const failedEven = (await (await app.request('/api/runs?state=failed&dir=/even', { headers: AUTH })).json()) as any;
  assert.equal(failedEven.total, 20);
  assert.ok(failedEven.runs.every((r: any) => r.state === 'failed' && r.dir === '/even'));

  const bad = await app.request('/api/runs?state=sleeping', { headers: AUTH });
  assert.equal(bad.status, 400);
  assert.match(((await bad.json()) as any).error, /unknown state "sleeping"/);
  const badOffset = await app.request('/api/runs?offset=-3', { headers: AUTH });
  assert.equal(badOffset.status, 400);
  baton.close();
});

test('a run: its status, timeline with command exits, growth, and the raw tail with colours', async () => {
  const { app, baton, home } = world();
  const log = join(home, 'r.log');
  writeFileSync(log, 'plain line\n\x1b[31mred error\x1b[0m\n');
  const digest = emptyDigest();
  digest.recent.push({ at: 1_000, kind: 'tool', summary: 'edit src/a.ts' }, { at: 2_000, kind: 'tool', summary: 'bash npm test (exit 1)' });
  digest.commands.push({ command: 'npm install', status: 'completed', exitCode: 0, at: 500 }, { command: 'npm test', status: 'completed', exitCode: 1, at: 2_000 });
  digest.growth = [[1_000, 1], [2_000, 2]];
  baton.store.runs.insert(sampleRun('detail01', { logPath: log, outputLines: 2, digest, state: 'incomplete', reasons: ['the verification failed'] }));

  const detail = (await (await app.request('/api/runs/detail01', { headers: AUTH })).json()) as any;
  assert.equal(detail.status.state, 'incomplete');
  assert.deepEqual(detail.status.reasons, ['the verification failed']);
  assert.deepEqual(
    detail.timeline.map((e: any) => [e.kind, e.summary, e.exitCode]),
    [
      ['command', 'npm install', 0],
      ['edit', 'edit src/a.ts', undefined],
      ['bash', 'bash npm test (exit 1)', 1],
    ],
  );
  assert.deepEqual(detail.growth.slice(0, 2), [[1_000, 1], [2_000, 2]]);
  assert.ok(detail.status.followUp.startsWith('Continue.'), 'the follow-up resume would send');

  const tail = (await (await app.request('/api/runs/detail01/tail?lines=1', { headers: AUTH })).json()) as any;
  assert.deepEqual(tail.lines, ['\x1b[31mred error\x1b[0m']);

  const missing = await app.request('/api/runs/nope', { headers: AUTH });
  assert.equal(missing.status, 404);
  assert.match(((await missing.json()) as any).error, /no run "nope"/);
  baton.close();
});

test('a finished run streams its output after the offset, its status, then end', async () => {
  const { app, baton, home } = world();
  const log = join(home, 's.log');
  writeFileSync(log, 'first\nsecond\n');
  baton.store.runs.insert(sampleRun('stream01', { logPath: log }));
  const response = await app.request('/api/runs/stream01/stream?offset=6', { headers: AUTH });
  assert.equal(response.headers.get('content-type'), 'text/event-stream');
  const body = await response.text();
  const events = [...body.matchAll(/^event: (\w+)\ndata: (.*)$/gm)].map((m) => [m[1], JSON.parse(m[2]!)]);
  assert.deepEqual(events[0], ['tail', { text: 'second\n', offset: 13 }]);
  assert.equal(events[1]![0], 'status');
  assert.equal(events[1]![1].status.id, 'stream01');
  assert.deepEqual(events.at(-1), ['end', { state: 'completed' }]);
  baton.close();
});

test('actions refuse cross-site requests and forged or non-JSON posts before doing anything', async () => {
  const { app, baton } = world();
  baton.store.runs.insert(sampleRun('act00001', { state: 'incomplete' }));
  // What a browser holding the dashboard's cookie sends.
  const cookie = { cookie: `baton_ui=${TOKEN}` };
  const good = { ...cookie, 'x-baton-csrf': CSRF, 'content-type': 'application/json' };
  const attempts: [Record<string, string>, number, RegExp][] = [
    [{ ...cookie, 'content-type': 'application/json' }, 403, /x-baton-csrf/],
    [{ ...good, origin: 'garbage' }, 403, /cross-origin/],
    [{ ...good, 'x-baton-csrf': 'forged' }, 403, /x-baton-csrf/],
    [{ ...good, origin: 'http://evil.example' }, 403, /cross-origin/],
    [{ ...good, origin: 'null' }, 403, /opaque/],
    [{ ...good, 'sec-fetch-site': 'cross-site' }, 403, /cross-site/],
    [{ ...good, 'content-type': 'text/plain' }, 415, /application\/json/],
  ];
  for (const [headers, status, message] of attempts) {
    const response = await app.request('/api/runs/act00001/resume', { method: 'POST', headers, body: '{}' });
    assert.equal(response.status, status, JSON.stringify(headers));
    assert.match(((await response.json()) as any).error, message);
  }
  assert.equal(baton.store.runs.list().length, 1, 'nothing was resumed');
  // Past the guards, the library's own errors come back with their meaning.
  const noSession = await app.request('/api/runs/nope/kill', { method: 'POST', headers: good, body: '{}' });
  assert.equal(noSession.status, 404);
  const badBody = await app.request('/api/runs/act00001/resume', { method: 'POST', headers: good, body: '[1]' });
  assert.equal(badBody.status, 400);
  // A script with the token as a Bearer header needs no anti-forgery value (no browser adds that header).
  const scripted = await app.request('/api/runs/nope/kill', { method: 'POST', headers: { ...AUTH, 'content-type': 'application/json' }, body: '{}' });
  assert.equal(scripted.status, 404);
  baton.close();
});

test('assets are served from the package by name only', async () => {
  const { app, baton } = world();
  const js = await app.request('/assets/app.js', { headers: AUTH });
  assert.equal(js.status, 200);
  assert.match(js.headers.get('content-type') ?? '', /javascript/);
  for (const path of ['/assets/..%2Fpackage.json', '/assets/.env', '/assets/index.html']) {
    assert.equal((await app.request(path, { headers: AUTH })).status, 404, path);
  }
  baton.close();
});

test('/assets/states.js is built from the store: the run states in order, the groups as Sets, the names ui/states.d.ts declares', async () => {
  const { app, baton } = world();
  const response = await app.request('/assets/states.js', { headers: AUTH });
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /javascript/);
  const served = (await import(`data:text/javascript,${encodeURIComponent(await response.text())}`)) as Record<string, unknown>;
  assert.deepEqual(served.RUN_STATES, [...RUN_STATES]);
  for (const [name, states] of Object.entries(PAGE_STATE_SETS)) assert.deepEqual(served[name], new Set(states), name);
  const declared = [...readFileSync(new URL('../../../ui/states.d.ts', import.meta.url), 'utf8').matchAll(/^export declare const (\w+)/gm)].map((m) => m[1]);
  assert.deepEqual(Object.keys(served).sort(), declared.sort());
  baton.close();
});

test('the change feed reports a run once per change, and nothing when nothing changed', async () => {
  const { baton, feed } = world();
  const messages: FeedMessage[] = [];
  const unsubscribe = feed.subscribe((m) => messages.push(m));
  baton.store.runs.insert(sampleRun('feed0001', { state: 'running', endedAt: null }));
  feed.tick();
  feed.tick();
  assert.deepEqual(messages.map((m) => (m.event === 'runs' ? m.runs.map((r) => `${r.id}:${r.state}`) : [])), [['feed0001:running']]);
  await clockPast(baton.store.runs.stateOf('feed0001')!.updatedAt);
  baton.store.runs.update('feed0001', { outputLines: 42 });
  feed.tick();
  assert.equal(messages.length, 2);
  assert.equal(messages[1]!.event === 'runs' && messages[1]!.runs[0]!.outputLines, 42);
  unsubscribe();
  baton.close();
});

test('plans list and detail carry phase times for the timeline', async () => {
  const { app, baton } = world();
  const now = Date.now();
  const plan = { project: 'demo', phases: [{ id: 'p1', title: 'Create the store', prompt: 'Create src/store.ts' }] } as any;
  baton.store.plans.insertPlanRun(
    { id: 'plan0001', planFile: '/repo/plan.yaml', project: 'demo', dir: '/repo', repoRoot: '/repo', state: 'completed', reasons: [], plan, driverPid: null, stopRequestedAt: null, hooks: {}, noLock: false, branch: 'main', maxParallel: 1, createdAt: now - 10_000, endedAt: now },
    [{ planRunId: 'plan0001', phaseId: 'p1', position: 0, title: 'Create the store', state: 'committed', reasons: [], attempts: [{ runId: 'r1', kind: 'launch', state: 'completed' }], resumes: 0, fixes: 0, currentRunId: null, baseTree: null, userDirty: null, verification: { passed: true, command: 'npm test', exitCode: 0, at: now }, commitSha: 'abc1234', committedPaths: ['src/store.ts'], worktree: null, merge: null, startedAt: now - 9_000, endedAt: now - 1_000 }],
  );
  const list = (await (await app.request('/api/plans', { headers: AUTH })).json()) as any;
  assert.equal(list.total, 1);
  assert.deepEqual({ ...list.plans[0], createdAt: undefined, endedAt: undefined }, { id: 'plan0001', project: 'demo', planFile: '/repo/plan.yaml', dir: '/repo', state: 'completed', reasons: [], createdAt: undefined, endedAt: undefined, phases: 1, phasesDone: 1 });
  const detail = (await (await app.request('/api/plans/plan0001', { headers: AUTH })).json()) as any;
  const phase = detail.phases[0];
  assert.equal(phase.startedAt, new Date(now - 9_000).toISOString());
  assert.equal(phase.durationMs, 8_000);
  assert.equal(phase.commitSha, 'abc1234');
  assert.deepEqual(phase.verification, { passed: true, command: 'npm test', exitCode: 0 });
  baton.close();
});

test('plan actions: stopping a finished plan changes nothing; resuming a completed one is a conflict', async () => {
  const { app, baton } = world();
  const now = Date.now();
  const plan = { project: 'demo', phases: [{ id: 'p1', title: 'One', prompt: 'Create a.ts' }] } as any;
  baton.store.plans.insertPlanRun(
    { id: 'plan0002', planFile: '/repo/plan.yaml', project: 'demo', dir: '/repo', repoRoot: '/repo', state: 'completed', reasons: [], plan, driverPid: null, stopRequestedAt: null, hooks: {}, noLock: false, branch: 'main', maxParallel: 1, createdAt: now, endedAt: now },
    [{ planRunId: 'plan0002', phaseId: 'p1', position: 0, title: 'One', state: 'committed', reasons: [], attempts: [], resumes: 0, fixes: 0, currentRunId: null, baseTree: null, userDirty: null, verification: null, commitSha: 'abc', committedPaths: [], worktree: null, merge: null, startedAt: now - 1_000, endedAt: now }],
  );
  const good = { ...AUTH, 'x-baton-csrf': CSRF, 'content-type': 'application/json' };
  const stopped = await app.request('/api/plans/plan0002/stop', { method: 'POST', headers: good, body: '{}' });
  assert.equal(stopped.status, 200);
  assert.equal(((await stopped.json()) as any).state, 'completed');
  const resumed = await app.request('/api/plans/plan0002/resume', { method: 'POST', headers: good, body: '{}' });
  assert.equal(resumed.status, 409);
  assert.match(((await resumed.json()) as any).error, /already completed/);
  const missing = await app.request('/api/plans/nope/resume', { method: 'POST', headers: good, body: '{}' });
  assert.equal(missing.status, 404);
  baton.close();
});

test('the change feed still reports a change that committed with a time older than its cursor (a writer that waited for the lock)', async () => {
  const { baton, feed } = world();
  const messages: FeedMessage[] = [];
  const unsubscribe = feed.subscribe((m) => messages.push(m));
  baton.store.runs.insert(sampleRun('late0001'));
  feed.tick();
  await clockPast(baton.store.runs.stateOf('late0001')!.updatedAt);
  baton.store.runs.insert(sampleRun('late0002'));
  feed.tick();
  assert.equal(messages.length, 2);
  // late0001 changes, stamped 5 s ago: its writer took the time, then waited for SQLite's lock.
  baton.store.db.prepare('UPDATE runs SET output_lines = 7, updated_at = ? WHERE id = ?').run(Date.now() - 5_000, 'late0001');
  feed.tick();
  feed.tick();
  const late = messages.slice(2).flatMap((m) => (m.event === 'runs' ? m.runs : []));
  assert.deepEqual(late.map((r) => [r.id, r.outputLines]), [['late0001', 7]]);
  unsubscribe();
  baton.close();
});

test('a stream far behind skips to the start of a line near the end, and says how much it skipped', async () => {
  const { app, baton, home } = world();
  const log = join(home, 'big.log');
  const lines = Array.from({ length: 20_000 }, (_, i) => `€ line ${String(i).padStart(6, '0')}`);
  writeFileSync(log, `${lines.join('\n')}\n`);
  baton.store.runs.insert(sampleRun('big00001', { logPath: log }));
  const body = await (await app.request('/api/runs/big00001/stream?offset=0', { headers: AUTH })).text();
  const events = [...body.matchAll(/^event: (\w+)\ndata: (.*)$/gm)].map((m) => [m[1], JSON.parse(m[2]!)] as const);
  assert.equal(events[0]![0], 'skipped');
  const streamed = events.filter(([kind]) => kind === 'tail').map(([, data]) => data.text as string).join('');
  assert.match(streamed, /^€ line \d{6}\n/, 'starts at a whole line');
  assert.ok(streamed.endsWith('€ line 019999\n'));
  assert.equal(Buffer.byteLength(streamed) + events[0]![1].bytes, Buffer.byteLength(`${lines.join('\n')}\n`), 'skipped + streamed = the whole log');
  assert.equal(events.at(-1)![0], 'end');
  baton.close();
});

test('cluster: without one, /api/workers says so and the page offers no workers view; with Redis away, the workers API names the URL (password masked) and the runs still answer', async () => {
  const local = world();
  const page = await (await local.app.request('/', { headers: AUTH })).text();
  assert.match(page, /<meta name="baton-cluster" content="">/);
  assert.deepEqual(await (await local.app.request('/api/workers', { headers: AUTH })).json(), { configured: false, workers: [] });
  local.baton.close();

  // A port nothing listens on: connecting is refused at once.
  const port = await freePort();
  const home = mkdtempSync(join(tmpdir(), 'baton-ui-app-'));
  const baton = new Baton({ home, env: { ...process.env, BATON_HOME: home, BATON_REDIS_URL: `redis://:hunter2@127.0.0.1:${port}`, BATON_REDIS_CONNECT_MS: '1000' } });
  const { app } = createUiApp({ baton, plans: new Plans(baton), token: TOKEN, pollMs: 20 });
  baton.store.runs.insert(sampleRun('cluster1', { executor: 'cluster', state: 'queued', endedAt: null, placement: { remote: '/remote.git', base: 'abc', worker: null, workerHost: null } }));
  assert.match(await (await app.request('/', { headers: AUTH })).text(), /<meta name="baton-cluster" content="1">/);
  const workers = await app.request('/api/workers', { headers: AUTH });
  assert.equal(workers.status, 500);
  const { error } = (await workers.json()) as { error: string };
  assert.match(error, new RegExp(`^cannot reach Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port}`));
  assert.doesNotMatch(error, /hunter2/);
  const runs = await app.request('/api/runs', { headers: AUTH });
  assert.equal(runs.status, 200);
  const rows = ((await runs.json()) as { runs: { id: string; worker?: unknown }[] }).runs;
  assert.deepEqual(rows.map((r) => [r.id, r.worker]), [['cluster1', null]]);
  baton.close();
});
