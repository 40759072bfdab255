// The plan page of a parallel plan in real headless Chromium, served by the real `baton ui`: the graph
// of needs, its stages updated in place as the store changes, the overlapping timeline bars, the
// overlap warning and each phase's worktree; and a serial plan still drawn as before. Plans are
// written into the store directly (as test/ui/app.test.ts does): the page is under test, not the driver.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { Baton } from '../../src/baton.js';
import type { Plan, PlanPhase } from '../../src/plans/schema.js';
import type { PlanStatus } from '../../src/plans/service.js';
import type { PhaseRecord, PlanRunRecord } from '../../src/store/plans.js';
import { removeTestDir } from '../cleanup.js';
import { waitFor } from '../wait-for.js';
import { launchBrowser, startDashboard, trackPageErrors } from './dashboard-harness.js';

const MIN = 60_000;

function planPhase(id: string, title: string, needs: string[], files: string[]): PlanPhase {
  return { id, title, prompt: `Do ${id}`, files, needs } as PlanPhase;
}

function planRecord(id: string, phases: PlanPhase[], maxParallel: number, now: number): Omit<PlanRunRecord, 'updatedAt'> {
  const plan: Plan = { file: '/repo/plan.yaml', project: 'shop', dir: '/repo', maxParallel, phases };
  return { id, planFile: plan.file, project: plan.project, dir: plan.dir, repoRoot: '/repo', state: 'running', reasons: [], plan, driverPid: null, stopRequestedAt: null, hooks: {}, noLock: false, branch: 'main', maxParallel, createdAt: now - 20 * MIN, endedAt: null };
}

function phaseRecord(planRunId: string, phaseId: string, position: number, title: string, fields: Partial<PhaseRecord>): Omit<PhaseRecord, 'updatedAt'> {
  return {
    planRunId, phaseId, position, title, state: 'pending', reasons: [], attempts: [], resumes: 0, fixes: 0, currentRunId: null, baseTree: null, userDirty: null,
    verification: null, commitSha: null, committedPaths: null, worktree: null, merge: null, startedAt: null, endedAt: null, ...fields,
  };
}

const worktreeOf = (home: string, plan: string, phase: string) => ({ path: join(home, 'worktrees', plan, phase), branch: `baton/${plan}/${phase}`, base: 'a'.repeat(40), prepared: true });

/**
 * Until the status fills them (engineer A's part of the issue), `overlaps`, `mergePlace`, `behind` and
 * the `waiting-on-needs` stage are placeholders: stand in for them with the values the design gives,
 * only where the served JSON still holds the placeholder.
 */
function fillPlaceholders(status: PlanStatus): PlanStatus {
  const committed = new Set(status.phases.filter((p) => p.state === 'committed').map((p) => p.id));
  let place = 0;
  for (const p of status.phases) {
    if ((p.state === 'merge-queued' || p.state === 'merging') && p.mergePlace === null) p.mergePlace = place + 1;
    if (p.state === 'merge-queued' || p.state === 'merging') place += 1;
    if (p.stage === 'pending' && p.needs.some((n) => !committed.has(n))) p.stage = 'waiting-on-needs';
    if (p.worktree && p.behind === null) p.behind = 1;
  }
  if (status.maxParallel > 1 && status.overlaps.length === 0 && status.phases.some((p) => p.id === 'B') && status.phases.some((p) => p.id === 'C')) {
    status.overlaps = [{ phases: ['B', 'C'], paths: ['src/x.ts'] }];
  }
  return status;
}

async function patchPlanStatus(page: Page): Promise<void> {
  await page.route('**/api/plans/*', async (route) => {
    if (route.request().method() !== 'GET') return route.continue();
    const response = await route.fetch();
    await route.fulfill({ response, json: fillPlaceholders((await response.json()) as PlanStatus) });
  });
}

/** A node's stage as drawn, by phase id. */
const stages = (page: Page) => page.locator('#dag g[data-phase-id]').evaluateAll((nodes) => Object.fromEntries(nodes.map((n) => [n.getAttribute('data-phase-id'), n.querySelector('[data-field="stage"]')?.textContent ?? ''])));

test('plan page: a diamond plan draws its graph of needs, B and C overlap on the timeline, and stages change in place', { timeout: 180_000 }, async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'baton-ui-dag-'));
  t.after(() => removeTestDir(home));
  mkdirSync(home, { recursive: true });
  const baton = new Baton({ home, env: { ...process.env, BATON_HOME: home } });
  t.after(() => baton.close());
  const now = Date.now();

  const diamond = [planPhase('A', 'Data schema', [], ['src/schema.ts']), planPhase('B', 'Backend routes for the whole shop', ['A'], ['src/x.ts', 'src/b.ts']), planPhase('C', 'Client', ['A'], ['src/x.ts', 'src/c.ts']), planPhase('D', 'Docs', ['B', 'C'], ['docs.md'])];
  baton.store.plans.insertPlanRun(planRecord('pdiamond', diamond, 2, now), [
    phaseRecord('pdiamond', 'A', 0, 'Data schema', { state: 'committed', commitSha: 'aaaaaaa1', committedPaths: ['src/schema.ts'], startedAt: now - 12 * MIN, endedAt: now - 9 * MIN, attempts: [{ runId: 'runA0001', kind: 'launch', state: 'completed' }] }),
    phaseRecord('pdiamond', 'B', 1, 'Backend routes for the whole shop', { state: 'merge-queued', worktree: worktreeOf(home, 'pdiamond', 'B'), startedAt: now - 9 * MIN, endedAt: now - 3 * MIN, attempts: [{ runId: 'runB0001', kind: 'launch', state: 'completed' }] }),
    phaseRecord('pdiamond', 'C', 2, 'Client', { state: 'running', worktree: worktreeOf(home, 'pdiamond', 'C'), startedAt: now - 8 * MIN, attempts: [{ runId: 'runC0001', kind: 'launch', state: 'running' }] }),
    phaseRecord('pdiamond', 'D', 3, 'Docs', {}),
  ]);
  const serial = [planPhase('one', 'First step', [], ['one.md']), planPhase('two', 'Second step', [], ['two.md'])];
  baton.store.plans.insertPlanRun({ ...planRecord('pserial', serial, 1, now), state: 'completed', endedAt: now - MIN }, [
    phaseRecord('pserial', 'one', 0, 'First step', { state: 'committed', commitSha: 'bbbbbbb1', committedPaths: ['one.md'], startedAt: now - 10 * MIN, endedAt: now - 6 * MIN }),
    phaseRecord('pserial', 'two', 1, 'Second step', { state: 'committed', commitSha: 'bbbbbbb2', committedPaths: ['two.md'], startedAt: now - 6 * MIN, endedAt: now - MIN }),
  ]);

  const dashboard = await startDashboard(t, { ...process.env, BATON_HOME: home });
  const browser = await launchBrowser(t);
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = trackPageErrors(page);
  await patchPlanStatus(page);
  await page.goto(dashboard.openUrl);
  await page.goto(`${dashboard.url}#/plans/pdiamond`);
  await page.locator('#dag svg').waitFor({ timeout: 15_000 });

  // Four nodes, an arrow per need, the stage in words on each node (not only its colour).
  assert.deepEqual(await page.locator('#dag g[data-phase-id]').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-phase-id'))), ['A', 'B', 'C', 'D']);
  const edges = await page.locator('#dag .dag-edge').evaluateAll((paths) => paths.map((p) => `${p.getAttribute('data-from')}>${p.getAttribute('data-to')}`).sort());
  assert.deepEqual(edges, ['A>B', 'A>C', 'B>D', 'C>D']);
  assert.deepEqual(await stages(page), { A: 'committed', B: 'queued to merge #1', C: 'running', D: 'waiting on needs' });
  assert.match((await page.locator('#dag g[data-phase-id="B"]').getAttribute('aria-label')) ?? '', /^B Backend routes for the whole shop: queued to merge #1, needs A$/, 'the full title, stage and needs for a screen reader');
  assert.match((await page.locator('#dag g[data-phase-id="B"]').getAttribute('class')) ?? '', /state-merge-queued/);
  // Laid out left to right by depth: A, then B and C in one column, then D.
  // A box is null until the element is laid out, which on a busy machine may come a moment later.
  const box = (selector: string) => waitFor(() => page.locator(selector).boundingBox(), { what: `${selector} to be laid out`, timeoutMs: 20_000 });
  const [a, b, c, d] = await Promise.all(['A', 'B', 'C', 'D'].map((id) => box(`#dag g[data-phase-id="${id}"]`)));
  // (Boxes include the frame's stroke: a pixel either way.)
  assert.ok(a!.x + a!.width < b!.x && Math.abs(b!.x - c!.x) < 2 && c!.x + c!.width < d!.x, JSON.stringify({ a, b, c, d }));
  assert.ok(b!.y + b!.height < c!.y && Math.abs(a!.y - d!.y) < 2, 'B above C; A and D level');

  // The timeline: B and C on rows of their own, overlapping on the shared time axis.
  const [barB, barC] = await Promise.all(['B', 'C'].map((id) => box(`#gantt rect.gantt-bar[data-phase-id="${id}"]`)));
  assert.ok(barC!.x < barB!.x + barB!.width && barB!.x < barC!.x + barC!.width, `B and C overlap horizontally: ${JSON.stringify({ barB, barC })}`);
  assert.ok(barB!.y + barB!.height <= barC!.y, 'each on its own row');
  assert.equal(await page.locator('#gantt rect.gantt-overlap').count(), 1);

  // The overlap warning, and each phase's worktree, stage and needs in its row.
  assert.equal(await page.locator('#plan-overlaps li').textContent(), 'B and C may run side by side and both name src/x.ts');
  const rowB = page.locator('tr[data-phase-id="B"]');
  assert.equal(await rowB.locator('[data-field="worktree"]').textContent(), '⎇ baton/pdiamond/B · 1 behind');
  assert.match((await rowB.locator('[data-field="worktree"]').getAttribute('title')) ?? '', new RegExp(`worktree ${join(home, 'worktrees', 'pdiamond', 'B')}`));
  assert.equal(await rowB.locator('[data-field="stage"]').textContent(), 'queued to merge #1');
  assert.equal(await page.locator('tr[data-phase-id="D"] [data-field="needs"]').textContent(), 'needs B, C');
  assert.equal(await page.locator('tr[data-phase-id="A"] [data-field="worktree"]').count(), 0, 'a committed phase has no worktree left');
  if (process.env.BATON_UPDATE_SCREENSHOTS) await page.screenshot({ path: process.env.BATON_UPDATE_SCREENSHOTS.endsWith('.png') ? process.env.BATON_UPDATE_SCREENSHOTS : join(home, 'plan-dag.png'), fullPage: true });

  // B merges, C is verified and queues: the page follows the store live, changing the nodes it has.
  await page.locator('#dag g[data-phase-id="D"]').evaluate((node) => node.setAttribute('data-seen', 'before'));
  baton.store.plans.updatePhase('pdiamond', 'B', { state: 'committed', commitSha: 'ccccccc1', committedPaths: ['src/x.ts', 'src/b.ts'], worktree: null });
  baton.store.plans.updatePhase('pdiamond', 'C', { state: 'merge-queued', endedAt: Date.now() });
  await page.waitForFunction(() => document.querySelector('#dag g[data-phase-id="C"] [data-field="stage"]')?.textContent === 'queued to merge #1', undefined, { timeout: 20_000 });
  assert.deepEqual(await stages(page), { A: 'committed', B: 'committed', C: 'queued to merge #1', D: 'waiting on needs' });
  assert.match((await page.locator('#dag g[data-phase-id="B"]').getAttribute('class')) ?? '', /state-committed/);
  assert.equal(await page.locator('#dag g[data-phase-id="D"]').getAttribute('data-seen'), 'before', 'the graph was updated in place, not redrawn');
  assert.equal(await page.locator('tr[data-phase-id="B"] [data-field="worktree"]').count(), 0);

  // A serial plan: no graph (its phases run one after another, as the table lists them), bars end to end.
  await page.goto(`${dashboard.url}#/plans/pserial`);
  await page.locator('[data-page="plan"][data-plan-id="pserial"] #gantt svg').waitFor({ timeout: 15_000 });
  assert.equal(await page.locator('.dag-card').isVisible(), false);
  assert.equal(await page.locator('#gantt rect.gantt-bar').count(), 2);
  assert.equal(await page.locator('#gantt rect.gantt-overlap').count(), 0);
  for (const id of ['one', 'two']) assert.match((await page.locator(`tr[data-phase-id="${id}"]`).textContent()) ?? '', /committed/);
  assert.deepEqual(errors, [], 'no errors in the page');
});
