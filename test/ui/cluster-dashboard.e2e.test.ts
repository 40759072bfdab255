import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { startCluster, TEST_LOST_AFTER_MS, writeAgent, type TestCluster } from '../cluster/harness.js';
import { launchBrowser, startDashboard, trackPageErrors, type Dashboard } from './dashboard-harness.js';

/** The lead's dashboard, open in headless Chromium, with a mark that a reload would wipe. */
async function openDashboard(t: Parameters<typeof startCluster>[0], cluster: TestCluster): Promise<{ dashboard: Dashboard; page: Page; errors: string[]; reloaded(): Promise<boolean> }> {
  const dashboard = await startDashboard(t, cluster.env);
  const browser = await launchBrowser(t);
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors = trackPageErrors(page);
  await page.goto(dashboard.openUrl);
  await page.locator('[data-page="runs"]').waitFor({ timeout: 20_000 });
  await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
  return { dashboard, page, errors, reloaded: async () => !(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded === true)) };
}

async function launch(cluster: TestCluster, command: string, file: string, extra: string[] = []): Promise<string> {
  const launched = await cluster.cli(['run', '--json', '--runner', 'cmd', '--runner-option', `command=${command}`, '--dir', cluster.repo, ...extra, file]);
  assert.equal(launched.code, 0, launched.stderr);
  return launched.json.id as string;
}

test('dashboard on the lead: a cluster run is queued for a worker, then names its worker and turns completed without a reload; a local run names none; the workers view lists the live workers', { timeout: 120_000 }, async (t) => {
  const cluster = await startCluster(t);
  const agent = await writeAgent(cluster.scratch, 1_500);
  const { dashboard, page, errors, reloaded } = await openDashboard(t, cluster);

  // No worker yet: the run waits in the queue, and the page says so.
  const id = await launch(cluster, agent.command, 'queued.txt');
  const row = page.locator(`tr[data-run-id="${id}"]`);
  await row.locator('[data-field="worker"]').filter({ hasText: 'queued for a worker' }).waitFor({ timeout: 20_000 });
  assert.equal(await row.locator('[data-field="state"]').textContent(), 'queued');

  // A worker takes it: what it publishes reaches the open page through the lead's subscription alone
  // (nothing else on the lead reads the cluster meanwhile), up to completed.
  await cluster.startWorker('w1');
  await row.locator('[data-field="worker"]').filter({ hasText: /^on w1 · \S+/ }).waitFor({ timeout: 30_000 });
  await row.locator('[data-field="state"]').filter({ hasText: 'completed' }).waitFor({ timeout: 30_000 });
  const shownAt = Date.now();
  const ended = JSON.parse((await readFile(agent.trace, 'utf8')).trim().split('\n')[0]!) as { end: number };
  t.diagnostic(`the page showed the run completed ${shownAt - ended.end} ms after its agent ended on the worker`);
  assert.equal(await reloaded(), false, 'the page was never reloaded');

  // The run page names the worker too.
  await page.goto(`${dashboard.url}#/runs/${id}`);
  await page.locator(`[data-page="run"][data-run-id="${id}"] [data-field="state"]`).filter({ hasText: 'completed' }).waitFor({ timeout: 20_000 });
  assert.match((await page.locator('[data-page="run"] [data-field="worker"]').textContent()) ?? '', /^w1 on \S+/);

  // A run kept on this machine shows nothing of the cluster.
  const local = await launch(cluster, agent.command, 'local.txt', ['--local']);
  await page.goto(`${dashboard.url}#/`);
  const localRow = page.locator(`tr[data-run-id="${local}"]`);
  await localRow.waitFor({ timeout: 20_000 });
  assert.equal(await localRow.locator('[data-field="worker"]').count(), 0);
  await page.goto(`${dashboard.url}#/runs/${local}`);
  await page.locator(`[data-page="run"][data-run-id="${local}"] [data-field="state"]`).waitFor({ timeout: 20_000 });
  assert.equal(await page.locator('[data-page="run"] [data-field="worker"]').count(), 0);

  // The workers view, from the nav the cluster turns on: a worker started while it is open appears.
  await page.locator('#nav-workers').click();
  const w1 = page.locator('tr[data-worker="w1"]');
  await w1.locator('[data-field="health"]').filter({ hasText: 'alive' }).waitFor({ timeout: 20_000 });
  // Its slot shows free again with its next heartbeat (every 2 s).
  await w1.locator('[data-field="slots"]').filter({ hasText: '0 / 1' }).waitFor({ timeout: 20_000 });
  assert.equal(await w1.locator('[data-field="runners"]').textContent(), 'cmd');
  await cluster.startWorker('w2');
  await page.locator('tr[data-worker="w2"] [data-field="health"]').filter({ hasText: 'alive' }).waitFor({ timeout: 20_000 });
  assert.deepEqual(await page.locator('tr[data-worker]').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.worker)), ['w1', 'w2']);
  assert.equal(await reloaded(), false);
  assert.deepEqual(errors, [], 'no errors in the page');
});

test('dashboard on the lead: a SIGKILLed worker shows lost in the workers view and its run turns failed naming it, without a reload', { timeout: 120_000 }, async (t) => {
  const cluster = await startCluster(t);
  const long = await writeAgent(cluster.scratch, 60_000);
  const doomed = await cluster.startWorker('doomed');
  const { dashboard, page, errors, reloaded } = await openDashboard(t, cluster);

  const id = await launch(cluster, long.command, 'long.txt');
  const row = page.locator(`tr[data-run-id="${id}"]`);
  await row.locator('[data-field="state"]').filter({ hasText: 'running' }).waitFor({ timeout: 30_000 });
  await row.locator('[data-field="worker"]').filter({ hasText: /^on doomed/ }).waitFor({ timeout: 10_000 });

  doomed.child.kill('SIGKILL');
  const killedAt = Date.now();
  // A lapsed heartbeat publishes nothing: the lead's periodic fold judges it.
  await row.locator('[data-field="state"]').filter({ hasText: 'failed' }).waitFor({ timeout: TEST_LOST_AFTER_MS + 30_000 });
  t.diagnostic(`the page showed the run failed ${Date.now() - killedAt} ms after the SIGKILL (lost bound ${TEST_LOST_AFTER_MS} ms)`);
  assert.match((await row.locator('.reason').textContent()) ?? '', /^worker doomed on \S+ stopped heartbeating/);

  await page.goto(`${dashboard.url}#/workers`);
  await page.locator('tr[data-worker="doomed"] [data-field="health"]').filter({ hasText: 'lost' }).waitFor({ timeout: 20_000 });
  assert.equal(await reloaded(), false, 'the page was never reloaded');
  assert.deepEqual(errors, [], 'no errors in the page');
});
