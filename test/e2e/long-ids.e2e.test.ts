import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './harness.js';

test('an id over 50,000 characters is a usage error (exit 2) on every command that takes one, not "pattern too complex"', async () => {
  const env = { ...process.env, BATON_HOME: mkdtempSync(join(tmpdir(), 'baton-long-id-')), NO_COLOR: '1' };
  const huge = 'a'.repeat(50_001);
  for (const args of [['status', huge], ['status', 'abc', huge], ['wait', huge], ['tail', huge], ['kill', huge], ['diff', huge], ['export', huge], ['resume', huge]]) {
    const result = await runCli(args, env);
    assert.equal(result.code, 2, `${args[0]}: ${result.stderr.slice(0, 300)}`);
    assert.match(result.stderr, /a run id or name is at most 1000 characters; got one of 50001/, args[0]);
    assert.doesNotMatch(result.stderr, /too complex/);
  }
  const json = await runCli(['status', huge, '--json'], env);
  assert.equal(json.code, 2);
  assert.equal(json.json.error.kind, 'usage');
  // resume's second positional is a prompt, which may be long: only the id is bounded.
  const longPrompt = await runCli(['resume', 'nosuchrun', 'p'.repeat(5_000)], env);
  assert.match(longPrompt.stderr, /nosuchrun/);
  assert.doesNotMatch(longPrompt.stderr, /at most 1000 characters/);
  const name = await runCli(['run', '--name', huge, '--dir', tmpdir(), 'x'], env);
  assert.equal(name.code, 2);
  assert.match(name.stderr, /--name is at most 1000 characters/);
});
