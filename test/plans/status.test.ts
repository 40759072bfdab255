import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Baton } from '../../src/baton.js';
import { Plans, toPlanStatus } from '../../src/plans/service.js';
import type { Plan, PlanPhase } from '../../src/plans/schema.js';
import type { PhaseRecord, PlanRunRecord } from '../../src/store/plans.js';
import { cleanupStack, removeTestDir } from '../cleanup.js';
import { runCli } from '../e2e/harness.js';
import { makeGitRepo, makeTempDir } from '../mock-model/agent-harness.js';

function phase(id: string, needs: string[] = [], files: string[] = []): PlanPhase {
  return { id, title: id.toUpperCase(), prompt: `Do ${id}`, files, needs, runner: 'cmd', verify: [], maxResumes: 2, maxFixes: 2, waitOnLimits: true };
}

// A → (B, C) → D, E after A; B and C both name src/x.ts.
const diamond: Plan = {
  file: '/repo/plan.yaml', project: 'demo', dir: '/repo', maxParallel: 2,
  phases: [phase('a'), phase('b', ['a'], ['src/x.ts']), phase('c', ['a'], ['./src/x.ts', 'src/c.ts']), phase('d', ['b', 'c']), phase('e', ['a'])],
};

function planRun(id: string, plan: Plan, more: Partial<PlanRunRecord> = {}): Omit<PlanRunRecord, 'updatedAt'> {
  const now = Date.now();
  return { id, planFile: plan.file, project: plan.project, dir: plan.dir, repoRoot: plan.dir, state: 'stopped', reasons: [], plan, driverPid: null, stopRequestedAt: null, hooks: {}, noLock: false, branch: 'main', maxParallel: plan.maxParallel, createdAt: now - 60_000, endedAt: now, ...more };
}

function phaseRecord(planRunId: string, phaseId: string, position: number, more: Partial<PhaseRecord> = {}): Omit<PhaseRecord, 'updatedAt'> {
  return {
    planRunId, phaseId, position, title: phaseId.toUpperCase(), state: 'pending', reasons: [], attempts: [], resumes: 0, fixes: 0, currentRunId: null, baseTree: null, userDirty: null,
    verification: null, commitSha: null, committedPaths: null, worktree: null, merge: null, startedAt: null, endedAt: null, ...more,
  };
}

/** A repository whose main branch is two commits past `base`, and a Baton home beside it. */
async function world(t: TestContext) {
  const cleanup = cleanupStack(t);
  const repo = await makeGitRepo();
  cleanup(() => removeTestDir(repo));
  const home = await makeTempDir('baton-plan-status-');
  cleanup(() => removeTestDir(home));
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: repo, encoding: 'utf8' }).trim();
  const base = git('rev-parse', 'HEAD');
  for (const name of ['one', 'two']) {
    writeFileSync(join(repo, name), name);
    git('add', name);
    git('commit', '-q', '-m', name);
  }
  const baton = new Baton({ home, env: { ...process.env, BATON_HOME: home } });
  cleanup(() => baton.close());
  return { repo, home, base, baton, plans: new Plans(baton) };
}

function insertDiamond(baton: Baton, repo: string, base: string, home: string) {
  const worktree = (id: string) => ({ path: join(home, 'worktrees', 'plan0001', id), branch: `baton/plan0001/${id}`, base, prepared: true });
  const now = Date.now();
  baton.store.plans.insertPlanRun(planRun('plan0001', { ...diamond, dir: repo }, { repoRoot: repo }), [
    phaseRecord('plan0001', 'a', 0, { state: 'committed', commitSha: 'a'.repeat(40), committedPaths: ['src/a.ts'], startedAt: now - 50_000, endedAt: now - 40_000 }),
    phaseRecord('plan0001', 'b', 1, { state: 'merging', worktree: worktree('b'), startedAt: now - 30_000 }),
    phaseRecord('plan0001', 'c', 2, { state: 'merge-queued', worktree: worktree('c'), startedAt: now - 30_000 }),
    phaseRecord('plan0001', 'd', 3),
    phaseRecord('plan0001', 'e', 4, { state: 'running', currentRunId: 'run-e', worktree: { ...worktree('e'), base: 'f'.repeat(40) }, startedAt: now - 1_000 }),
  ]);
}

test('plan status of a parallel plan: stages, merge places, commits behind and overlaps', async (t) => {
  const { repo, home, base, baton, plans } = await world(t);
  insertDiamond(baton, repo, base, home);
  const status = plans.status('plan0001');
  assert.equal(status.maxParallel, 2);
  assert.deepEqual(status.overlaps, [{ phases: ['b', 'c'], paths: ['src/x.ts'] }]);
  const view = status.phases.map((p) => ({ id: p.id, stage: p.stage, mergePlace: p.mergePlace, behind: p.behind, needs: p.needs, worktree: p.worktree?.branch ?? null }));
  assert.deepEqual(view, [
    { id: 'a', stage: 'committed', mergePlace: null, behind: null, needs: [], worktree: null },
    { id: 'b', stage: 'merging', mergePlace: 1, behind: 2, needs: ['a'], worktree: 'baton/plan0001/b' },
    { id: 'c', stage: 'queued-to-merge', mergePlace: 2, behind: 2, needs: ['a'], worktree: 'baton/plan0001/c' },
    { id: 'd', stage: 'waiting-on-needs', mergePlace: null, behind: null, needs: ['b', 'c'], worktree: null },
    // A base git does not know: behind is unknown, not an error.
    { id: 'e', stage: 'running', mergePlace: null, behind: null, needs: ['a'], worktree: 'baton/plan0001/e' },
  ]);
  assert.equal(plans.list().plans[0]!.phases[1]!.behind, 2, 'plan list counts commits behind too');
});

test('plan status: a phase whose run waits in the machine-wide queue is queued for a slot; needs met by committed or skipped phases', () => {
  const record = { ...planRun('plan0002', diamond), updatedAt: Date.now() };
  const phases = [
    phaseRecord('plan0002', 'a', 0, { state: 'skipped' }),
    phaseRecord('plan0002', 'b', 1, { state: 'running', currentRunId: 'queued-run' }),
    phaseRecord('plan0002', 'c', 2, { state: 'verifying', currentRunId: 'live-run' }),
    phaseRecord('plan0002', 'd', 3),
    phaseRecord('plan0002', 'e', 4),
  ].map((p) => ({ ...p, updatedAt: Date.now() }));
  const runStates: Record<string, string> = { 'queued-run': 'queued', 'live-run': 'running' };
  const status = toPlanStatus(record, phases, false, undefined, () => 0, (id) => runStates[id]);
  assert.deepEqual(status.phases.map((p) => [p.id, p.stage]), [['a', 'skipped'], ['b', 'queued-for-slot'], ['c', 'verifying'], ['d', 'waiting-on-needs'], ['e', 'pending']]);
  // The same plan at maxParallel 1 runs serially: no overlap warning.
  assert.deepEqual(toPlanStatus({ ...record, maxParallel: 1 }, phases, false).overlaps, []);
});

test('plan status text: stage words, needs, worktree, behind and the overlap warning; a serial plan reads as before', async (t) => {
  const { repo, home, base, baton } = await world(t);
  insertDiamond(baton, repo, base, home);
  const serial: Plan = { file: join(repo, 'plan.yaml'), project: 'demo', dir: repo, maxParallel: 1, phases: [phase('p1'), phase('p2')] };
  baton.store.plans.insertPlanRun(planRun('plan0003', serial, { repoRoot: repo }), [phaseRecord('plan0003', 'p1', 0, { state: 'committed', commitSha: 'c'.repeat(40), committedPaths: ['x'] }), phaseRecord('plan0003', 'p2', 1)]);
  const env = { ...process.env, BATON_HOME: home, NO_COLOR: '1' };
  const parallel = await runCli(['plan', 'status', 'plan0001'], env);
  assert.equal(parallel.code, 0, parallel.stderr);
  const lines = parallel.stdout.split('\n');
  assert.ok(lines.includes('  ! phases b and c may run side by side and both name src/x.ts'), parallel.stdout);
  const after = (id: string) => lines[lines.findIndex((line) => line.startsWith(`  ${id} `)) + 1] ?? '';
  assert.match(lines.find((line) => line.startsWith('  b '))!, /^ {2}b {6}merging {4}B/);
  assert.match(lines.find((line) => line.startsWith('  c '))!, /queued to merge \(2nd\) C/);
  assert.equal(after('c').trim(), `needs a · worktree ${join(home, 'worktrees', 'plan0001', 'c')} on baton/plan0001/c · 2 behind`);
  assert.match(lines.find((line) => line.startsWith('  d '))!, /waiting on needs D/);
  assert.equal(after('d').trim(), 'needs b, c');
  assert.doesNotMatch(after('a'), /needs|worktree/, 'a committed phase with no worktree has no detail line');

  const plain = await runCli(['plan', 'status', 'plan0003'], env);
  assert.equal(plain.code, 0, plain.stderr);
  const text = plain.stdout.trimEnd().split('\n');
  assert.equal(text.length, 3, plain.stdout);
  assert.match(text[1]!, /^ {2}p1 {5}committed {2}P1 {2}0 run\(s\)/);
  assert.match(text[2]!, /^ {2}p2 {5}pending {4}P2 {2}0 run\(s\)$/);
  const json = await runCli(['plan', 'status', 'plan0003', '--json'], env);
  assert.deepEqual(json.json.overlaps, []);
  assert.deepEqual(json.json.phases.map((p: { stage: string; mergePlace: null; behind: null }) => [p.stage, p.mergePlace, p.behind]), [['committed', null, null], ['pending', null, null]]);
});

test('plan wait polls phase states without counting commits behind; its answer counts them', async (t) => {
  const { repo, home, base, baton, plans } = await world(t);
  insertDiamond(baton, repo, base, home);
  // Running with no driver yet: wait polls until its bound (or until the driver is given up).
  baton.store.plans.updatePlanRun('plan0001', { state: 'running', endedAt: null });
  const seen: (number | null)[][] = [];
  const result = await plans.wait('plan0001', { timeoutMs: 500, onChange: (s) => seen.push(s.phases.map((p) => p.behind)) });
  assert.ok(seen.length > 0, 'wait reported the states it saw');
  for (const behind of seen) assert.deepEqual(behind, [null, null, null, null, null], 'no git rev-list while polling');
  assert.deepEqual(result.status.phases.map((p) => p.behind), [null, 2, 2, null, null]);
});
