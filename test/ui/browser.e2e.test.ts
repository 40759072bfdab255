import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser, startDashboard, trackPageErrors } from './dashboard-harness.js';
import { livePidsInGroup, phasePrompt, runCli, startBatonSession, type BatonSession } from '../e2e/harness.js';
import { startPlanSession, write } from '../plans/harness.js';

const DOCS = fileURLToPath(new URL('../../../docs/', import.meta.url));

/** Waits until the agent's log holds `text`, polling the file the way nothing else does. */
async function logContains(path: string, text: string, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (existsSync(path) && readFileSync(path, 'utf8').includes(text)) return performance.now();
    if (Date.now() > deadline) throw new Error(`the log never showed ${text}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('dashboard: a real run shows up, its new output appears live on the open page, and the kill button kills it', { timeout: 180_000 }, async (t) => {
  // The agent's second command waits for this gate, so the page is open before its output exists.
  const gate = join(tmpdir(), `baton-ui-gate-${process.pid}-${Date.now()}`);
  t.after(() => rmSync(gate, { force: true }));
  const session: BatonSession = await startBatonSession(
    t,
    {
      steps: [
        { tools: [{ name: 'bash', args: { command: 'echo warming-up', description: 'first' } }] },
        // The page is open by the time this arrives.
        { tools: [{ name: 'bash', args: { command: `while [ ! -e '${gate}' ]; do sleep 0.1; done; echo live-marker-7731`, description: 'second' } }] },
        { hang: true },
        // What the resumed session gets.
        { tools: [{ name: 'write', args: { filePath: '{{workdir}}/notes.md', content: 'resumed\n' } }] },
        { text: 'Wrote notes.md after the resume.' },
      ],
    },
    { ohMyOpencode: false },
  );
  const launched = await session.cli(['run', '--json', '--runner', 'opencode', '--model', session.sandbox.model, '--dir', session.repo, '--name', 'ui-live', phasePrompt(['notes.md'])]);
  assert.equal(launched.code, 0, launched.stderr);
  const { id, log } = launched.json as { id: string; log: string };
  await logContains(log, 'warming-up', 30_000);

  const dashboard = await startDashboard(t, session.env);
  const browser = await launchBrowser(t);
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors = trackPageErrors(page);
  page.on('dialog', (dialog) => void dialog.accept());

  // The runs list: the run is there, running, with its line count.
  await page.goto(dashboard.openUrl);
  const row = page.locator(`tr[data-run-id="${id}"]`);
  await row.waitFor({ timeout: 10_000 });
  assert.equal(await row.locator('[data-field="state"]').textContent(), 'running');
  const linesBefore = await row.locator('[data-field="lines"]').textContent();

  // The run page: output written after it opened reaches its live tail without a reload. How fast is
  // measured in npm run bench (bench/dashboard.ts); a test on a busy machine only says that it does.
  await page.goto(`${dashboard.url}#/runs/${id}`);
  await page.locator(`[data-page="run"][data-run-id="${id}"]`).waitFor({ timeout: 30_000 });
  await page.locator('#tail').filter({ hasText: 'warming-up' }).waitFor({ timeout: 30_000 });
  assert.ok(!(await page.locator('#tail').textContent())!.includes('live-marker-7731'), 'the marker is not out yet');
  writeFileSync(gate, '');
  const inLog = await logContains(log, 'live-marker-7731', 60_000);
  await page.locator('#tail').filter({ hasText: 'live-marker-7731' }).waitFor({ timeout: 30_000 });
  t.diagnostic(`the new output appeared ${Math.round(performance.now() - inLog)} ms after it reached the log`);
  // …and the timeline gets the command once the supervisor records it.
  await page.locator('#timeline li').filter({ hasText: 'echo live-marker-7731' }).waitFor({ timeout: 30_000 });

  if (process.env.BATON_UPDATE_SCREENSHOTS) await page.screenshot({ path: join(DOCS, 'dashboard-run.png') });

  // Kill from the page: the real process group is gone and the page says killed.
  const pgid = (await runCli(['status', id, '--json'], session.env)).json.pid as number;
  assert.ok(livePidsInGroup(pgid).length > 0, 'the agent runs before the kill');
  await page.locator('#kill').click();
  await page.locator(`[data-page="run"] [data-field="state"]`).filter({ hasText: 'killed' }).waitFor({ timeout: 20_000 });
  assert.deepEqual(livePidsInGroup(pgid), [], 'no process of the run is left');
  const killedStatus = (await runCli(['status', id, '--json'], session.env)).json;
  assert.equal(killedStatus.state, 'killed');

  // Resume from the page with a prompt of our own: a new run in the same agent session.
  await page.locator('#resume-prompt').fill('Write notes.md now.');
  await page.locator('#resume').click();
  await page.waitForFunction((parent) => {
    const root = document.querySelector('[data-page="run"]');
    return root !== null && root.getAttribute('data-run-id') !== parent;
  }, id);
  const childId = (await page.locator('[data-page="run"]').getAttribute('data-run-id'))!;
  const child = (await runCli(['wait', childId, '--timeout', '60s', '--json'], session.env)).json.runs[0];
  assert.equal(child.parentId, id);
  assert.equal(child.sessionId, killedStatus.sessionId, 'the same agent session');
  assert.equal(child.state, 'completed', JSON.stringify(child.reasons));
  assert.equal(readFileSync(join(session.repo, 'notes.md'), 'utf8'), 'resumed\n');
  await page.locator('[data-page="run"] [data-field="state"]').filter({ hasText: 'completed' }).waitFor({ timeout: 10_000 });

  // Back on the list, the row followed along without a reload of its data.
  await page.goto(`${dashboard.url}#/`);
  await row.locator('[data-field="state"]').filter({ hasText: 'killed' }).waitFor({ timeout: 5_000 });
  assert.notEqual(await row.locator('[data-field="lines"]').textContent(), linesBefore, 'the line count grew');
  assert.deepEqual(errors, [], 'no errors in the page');
});

test('dashboard: no token, no data; cross-site posts are refused and change nothing', { timeout: 120_000 }, async (t) => {
  const session = await startBatonSession(t, { steps: [{ hang: true }] }, { ohMyOpencode: false });
  const launched = await session.cli(['run', '--json', '--runner', 'opencode', '--model', session.sandbox.model, '--dir', session.repo, '--name', 'ui-guarded', phasePrompt(['notes.md'])]);
  assert.equal(launched.code, 0, launched.stderr);
  const id = launched.json.id as string;
  const dashboard = await startDashboard(t, session.env);
  const browser = await launchBrowser(t);

  // Without the token (and with a wrong one): 401 and nothing about the run.
  const stranger = await browser.newPage();
  for (const url of [dashboard.url, `${dashboard.url}api/runs`, `${dashboard.url}?token=wrong`]) {
    const response = await stranger.goto(url);
    assert.equal(response?.status(), 401, url);
    assert.ok(!(await stranger.content()).includes(id), `${url} leaked the run`);
  }

  // A user who has the dashboard open visits a hostile page on another origin.
  const context = await browser.newContext();
  const own = await context.newPage();
  await own.goto(dashboard.openUrl);
  await own.locator(`tr[data-run-id="${id}"]`).waitFor({ timeout: 10_000 });

  const hostile = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<html><body>cat pictures</body></html>');
  });
  await new Promise<void>((resolve) => hostile.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    hostile.closeAllConnections();
    hostile.close();
  });
  const hostilePort = (hostile.address() as AddressInfo).port;
  const killUrl = `http://127.0.0.1:${dashboard.port}/api/runs/${id}/kill`;
  // Same site (127.0.0.1, another port: the cookie goes along) and cross site (localhost).
  const origins = [`http://127.0.0.1:${hostilePort}/`, `http://localhost:${hostilePort}/`];
  // Both pages open up front: a new page right after closing one can hang in headless Chromium.
  const attackers = [await context.newPage(), await context.newPage()];
  for (const [i, origin] of origins.entries()) {
    const attacker = attackers[i]!;
    await attacker.goto(origin);
    const viaFetch = await attacker.evaluate(async (url) => {
      try {
        const response = await fetch(url, { method: 'POST', credentials: 'include', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: '{}' });
        return response.type;
      } catch (error) {
        return String(error);
      }
    }, killUrl);
    assert.equal(viaFetch, 'opaque', 'the browser sent it; the server must refuse it');
    const formResponse = attacker.waitForResponse(killUrl);
    await attacker.evaluate((url) => {
      const form = document.createElement('form');
      form.method = 'POST';
      form.action = url;
      document.body.append(form);
      form.submit();
    }, killUrl);
    const refused = await formResponse;
    assert.ok([401, 403].includes(refused.status()), `form post answered ${refused.status()}`);
  }
  const after = await runCli(['status', id, '--json'], session.env);
  assert.equal(after.json.state, 'running', 'the run survived every forged request');
  await context.close();
});

test('dashboard: a plan shows its phases on a timeline with their commits', { timeout: 180_000 }, async (t) => {
  // Two phases, each a real opencode run that writes its file; verified and committed by the driver.
  const session = await startPlanSession(t, { steps: ['1', '2'].flatMap((id) => [write(`phase${id}.txt`, `phase ${id}\n`), { text: `Phase ${id} done.` }]) });
  const phases = ['1', '2'].map((id) => `  - { id: "${id}", title: "Step ${id}", prompt: "Create phase${id}.txt", files: [phase${id}.txt], verify: ["test -f phase${id}.txt"] }`).join('\n');
  const plan = session.writePlan(`project: ui-demo\ndir: ${session.repo}\ndefaults: { runner: opencode, model: ${session.model} }\nphases:\n${phases}\n`);
  const started = await session.cli(['plan', 'run', plan, '--no-lint', '--json']);
  assert.equal(started.code, 0, started.stderr);
  const planId = started.json.id as string;
  const waited = await session.cli(['plan', 'wait', planId, '--timeout', '90s', '--json'], 100_000);
  assert.equal(waited.json.state, 'completed', JSON.stringify(waited.json));

  const dashboard = await startDashboard(t, session.env);
  const browser = await launchBrowser(t);
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors = trackPageErrors(page);
  await page.goto(dashboard.openUrl);
  const planRow = page.locator(`tr[data-plan-id="${planId}"]`);
  await planRow.waitFor({ timeout: 10_000 });
  assert.equal(await planRow.locator('[data-field="state"]').textContent(), 'completed');
  await page.goto(`${dashboard.url}#/plans/${planId}`);
  await page.locator('[data-page="plan"]').waitFor({ timeout: 10_000 });
  await page.locator('#gantt svg').waitFor({ timeout: 10_000 });
  assert.equal(await page.locator('#gantt svg').count(), 1);
  for (const phase of waited.json.phases as { id: string; commitSha: string }[]) {
    const text = (await page.locator(`tr[data-phase-id="${phase.id}"]`).textContent()) ?? '';
    assert.match(text, /committed/);
    assert.ok(text.includes(phase.commitSha.slice(0, 7)), `phase ${phase.id} shows commit ${phase.commitSha.slice(0, 7)}: ${text}`);
  }
  if (process.env.BATON_UPDATE_SCREENSHOTS) await page.screenshot({ path: join(DOCS, 'dashboard-plan.png') });
  assert.deepEqual(errors, []);
});
