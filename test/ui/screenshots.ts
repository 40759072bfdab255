/**
 * Not a test: refreshes the dashboard screenshots in docs/ from real runs (oh-my-opencode and
 * opencode against the scripted model) and a real plan, all in one Baton home.
 *
 *   npm run build && node dist/test/ui/screenshots.js
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';
import { chromium } from 'playwright-core';
import { DEMO_FILES, DEMO_PROMPT, DEMO_SCRIPT } from '../../src/demo/task.js';
import type { ScriptInput } from '../../src/mock-model/index.js';
import { BATON_BIN, phasePrompt, startBatonSession, type BatonSession } from '../e2e/harness.js';
import { makeTempDir } from '../mock-model/agent-harness.js';

const DOCS = fileURLToPath(new URL('../../../docs/', import.meta.url));
const cleanups: (() => unknown)[] = [];
const context = { after: (fn: () => unknown) => cleanups.push(fn) } as unknown as TestContext;
const home = join(await makeTempDir('baton-screens-'), 'home');

async function session(script: ScriptInput, ohMyOpencode: boolean): Promise<BatonSession> {
  const s = await startBatonSession(context, script, { ohMyOpencode });
  s.env.BATON_HOME = home;
  return s;
}

async function run(s: BatonSession, args: string[]): Promise<string> {
  const launched = await s.cli(['run', '--json', '--dir', s.repo, ...args], { env: { BATON_HOME: home } });
  if (launched.code !== 0) throw new Error(launched.stderr);
  return launched.json.id as string;
}

async function wait(s: BatonSession, id: string): Promise<void> {
  await s.cli(['wait', id, '--timeout', '90s'], { env: { BATON_HOME: home }, timeoutMs: 100_000 });
}

try {
  // 1. The demo task, by oh-my-opencode: completed.
  const demo = await session(DEMO_SCRIPT, true);
  for (const [path, content] of Object.entries(DEMO_FILES)) writeFileSync(join(demo.repo, path), content);
  const completed = await run(demo, ['--agent', 'hephaestus', '--model', demo.sandbox.model, '--name', 'phase-1-greeter', DEMO_PROMPT]);
  await wait(demo, completed);

  // 2. A run that forgets a file: incomplete.
  const forgetful = await session({ steps: [{ tools: [{ name: 'write', args: { filePath: '{{workdir}}/src/store.ts', content: 'export const store = new Map();\n' } }] }, { text: 'Store done.' }] }, false);
  const incomplete = await run(forgetful, ['--runner', 'opencode', '--model', forgetful.sandbox.model, '--name', 'phase-2-store', phasePrompt(['src/store.ts', 'src/cache.ts'])]);
  await wait(forgetful, incomplete);

  // 3. The model's API fails: failed.
  const broken = await session({ steps: [{ error: { status: 500, message: 'upstream exploded', retryAfterSeconds: 0 }, times: 1000 }] }, true);
  const failed = await run(broken, ['--agent', 'hephaestus', '--model', broken.sandbox.model, '--name', 'phase-3-api', phasePrompt(['src/api.ts'])]);
  await wait(broken, failed);

  // 4. A plan of three phases, committed one by one.
  const planned = await session(
    { steps: ['models', 'routes', 'docs'].flatMap((id) => [{ delayMs: 600, tools: [{ name: 'write', args: { filePath: `{{workdir}}/${id}.md`, content: `# ${id}\n` } }] }, { text: `Phase ${id} done.` }]) },
    false,
  );
  const phases = ['models', 'routes', 'docs'].map((id, i) => `  - { id: "${id}", title: "${['Data models', 'HTTP routes', 'API docs'][i]}", prompt: "Create ${id}.md", files: [${id}.md], verify: ["test -f ${id}.md"] }`).join('\n');
  const planFile = join(planned.repo, '..', 'plan.yaml');
  writeFileSync(planFile, `project: shop\ndir: ${planned.repo}\ndefaults: { runner: opencode, model: ${planned.sandbox.model} }\nphases:\n${phases}\n`);
  const plan = await planned.cli(['plan', 'run', planFile, '--no-lint', '--json']);
  await planned.cli(['plan', 'wait', plan.json.id, '--timeout', '120s'], { timeoutMs: 130_000 });

  // 5. One killed, one still running when the pictures are taken.
  const stuck = await session({ steps: [{ tools: [{ name: 'bash', args: { command: 'npm run build', description: 'build' } }] }, { hang: true }] }, false);
  const killed = await run(stuck, ['--runner', 'opencode', '--model', stuck.sandbox.model, '--name', 'phase-4-search', phasePrompt(['src/search.ts'])]);
  await new Promise((r) => setTimeout(r, 4_000));
  await stuck.cli(['kill', killed]);
  const live = await session({ steps: [{ tools: [{ name: 'read', args: { filePath: '{{workdir}}/README.md' } }] }, { delayMs: 1_500, tools: [{ name: 'bash', args: { command: 'npm test', description: 'tests' } }] }, { hang: true }] }, false);
  await run(live, ['--runner', 'opencode', '--model', live.sandbox.model, '--name', 'phase-5-auth', phasePrompt(['src/auth.ts'], 'npm test')]);
  await new Promise((r) => setTimeout(r, 5_000));

  const ui = spawn(process.execPath, [BATON_BIN, 'ui', '--json'], { env: live.env, stdio: ['ignore', 'pipe', 'inherit'] });
  cleanups.push(() => ui.kill('SIGINT'));
  const info = await new Promise<{ url: string; openUrl: string }>((resolve) => ui.stdout.setEncoding('utf8').once('data', (line: string) => resolve(JSON.parse(line))));
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'] });
  cleanups.push(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  mkdirSync(DOCS, { recursive: true });
  await page.goto(info.openUrl);
  await page.locator(`tr[data-run-id="${completed}"]`).waitFor();
  await page.waitForTimeout(500);
  await page.screenshot({ path: join(DOCS, 'dashboard.png') });
  await page.goto(`${info.url}#/runs/${completed}`);
  await page.locator('#timeline li').first().waitFor();
  await page.waitForTimeout(500);
  await page.screenshot({ path: join(DOCS, 'dashboard-run.png') });
  await page.goto(`${info.url}#/plans/${plan.json.id}`);
  await page.locator('#gantt svg').waitFor();
  await page.waitForTimeout(500);
  await page.screenshot({ path: join(DOCS, 'dashboard-plan.png') });
  process.stdout.write(`wrote docs/dashboard.png, dashboard-run.png, dashboard-plan.png\n`);
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup();
}
