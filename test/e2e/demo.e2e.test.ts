import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './harness.js';

test("baton demo (README's first command) runs a real agent to completed and shows what changed", async () => {
  const home = mkdtempSync(join(tmpdir(), 'baton-demo-home-'));
  const env = { ...process.env, BATON_HOME: home, NO_COLOR: '1' };
  const demo = await runCli(['demo', '--json'], env, 120_000);
  assert.equal(demo.code, 0, demo.stdout + demo.stderr);
  assert.equal(demo.json.status.state, 'completed', JSON.stringify(demo.json.status.reasons));
  assert.deepEqual(demo.json.status.filesChanged, ['src/greet.js', 'test/greet.test.js']);
  assert.ok(demo.json.changes.some((c: { path: string }) => c.path === 'src/greet.js'));
  assert.ok(existsSync(join(demo.json.repo, 'src/greet.js')));
  // The run stays in the store for the commands the demo suggests.
  const status = await runCli(['status', demo.json.status.id, '--json'], env);
  assert.equal(status.json.state, 'completed');
  const tail = await runCli(['tail', demo.json.status.id, '-f', '-n', '3'], env);
  assert.equal(tail.code, 0);
  assert.match(tail.stdout, /All tasks completed\./);
});
