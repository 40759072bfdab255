import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupStack, removeTestDir } from '../cleanup.js';
import { runCli } from '../e2e/harness.js';
import { startRawMcp } from '../mcp/harness.js';
import { makeGitRepo, makeTempDir } from '../mock-model/agent-harness.js';

const DIAMOND = `project: demo
maxParallel: 2
defaults: { runner: cmd }
phases:
  - { id: a, title: A, prompt: "Do a" }
  - { id: b, title: B, prompt: "Do b", needs: [a], files: [src/x.ts] }
  - { id: c, title: C, prompt: "Do c", needs: [a], files: [./src/x.ts] }
  - { id: d, title: D, prompt: "Do d", needs: [b, c] }
  - { id: e, title: E, prompt: "Do e" }
`;

async function world(t: TestContext, planText: string) {
  const cleanup = cleanupStack(t);
  const repo = await makeGitRepo();
  cleanup(() => removeTestDir(repo));
  const home = await makeTempDir('baton-plan-cli-');
  cleanup(() => removeTestDir(home));
  const plan = join(repo, 'plan.yaml');
  writeFileSync(plan, planText);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, BATON_HOME: home, NO_COLOR: '1' })) if (v !== undefined) env[k] = v;
  return { repo, plan, env, cli: (...args: string[]) => runCli(['plan', 'run', plan, '--no-lint', ...args], env) };
}

test('plan run --dry-run lists needs and the waves of a parallel plan, and warns of phases naming the same file', async (t) => {
  const { cli } = await world(t, DIAMOND);
  const text = await cli('--dry-run');
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^ {2}d: D \(cmd; needs b, c\)$/m);
  assert.match(text.stdout, /^waves \(up to 2 at a time, if phases took equal time\):\n {2}1: a, e\n {2}2: b, c\n {2}3: d$/m);
  assert.match(text.stdout, /^! phases b and c may run side by side and both name src\/x\.ts$/m);
  const wider = await cli('--dry-run', '--json', '--max-parallel', '3');
  assert.equal(wider.code, 0, wider.stderr);
  assert.equal(wider.json.maxParallel, 3);
  assert.deepEqual(wider.json.waves, [['a', 'e'], ['b', 'c'], ['d']]);
  assert.deepEqual(wider.json.phases.map((p: { needs: string[] }) => p.needs), [[], ['a'], ['a'], ['b', 'c'], []]);
  // At 1 the same plan runs serially: no waves, no overlap warning.
  const serial = await cli('--dry-run', '--max-parallel', '1');
  assert.equal(serial.code, 0, serial.stderr);
  assert.doesNotMatch(serial.stdout, /waves|side by side/);
});

test('plan run --max-parallel takes a whole number from 1 to 32, else a usage error naming the flag', async (t) => {
  const { cli } = await world(t, DIAMOND);
  for (const bad of ['0', '33', 'x', '2.5', '-1']) {
    const result = await cli('--dry-run', '--max-parallel', bad);
    assert.equal(result.code, 2, `${bad}: ${result.stdout}${result.stderr}`);
    assert.match(result.stderr, /--max-parallel: expected a whole number from 1 to 32/, bad);
  }
});

test('a plan whose needs form a cycle is refused with exit 2 and its file:line', async (t) => {
  const { cli, plan } = await world(t, DIAMOND.replace('{ id: a, title: A, prompt: "Do a" }', '{ id: a, title: A, prompt: "Do a", needs: [d] }'));
  const result = await cli('--dry-run');
  assert.equal(result.code, 2, result.stderr);
  assert.ok(result.stderr.includes(`${plan}:5:`), result.stderr);
  assert.match(result.stderr, /needs form a cycle: a → d → b → a/);
});

test('MCP plan_run takes maxParallel and its dry run names the waves', async (t) => {
  const { repo, plan, env } = await world(t, DIAMOND);
  const mcp = startRawMcp(t, env, repo);
  await mcp.initialize();
  const text = (response: any): string => response.result.content.map((c: { text?: string }) => c.text ?? '').join('\n');
  mcp.send({ id: 1, method: 'tools/call', params: { name: 'plan_run', arguments: { file: plan, noLint: true, dryRun: true, maxParallel: 3 } } });
  const dry = await mcp.response(1);
  assert.equal(dry.result.isError, undefined, text(dry));
  assert.match(text(dry), /d D \(cmd\) needs b, c; e E \(cmd\); waves: a \+ e → b \+ c → d$/);
  mcp.send({ id: 2, method: 'tools/call', params: { name: 'plan_run', arguments: { file: plan, noLint: true, dryRun: true, maxParallel: 40 } } });
  const refused = await mcp.response(2);
  assert.ok(refused.result?.isError || refused.error, JSON.stringify(refused));
});
