import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { BATON_BIN, runCli } from './harness.js';

test('baton mock-model serves a script on 127.0.0.1 behind a key and stops on SIGTERM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-mock-cli-'));
  const script = join(dir, 'script.json');
  writeFileSync(script, JSON.stringify({ steps: [{ text: 'scripted hello' }] }));
  const child = spawn(process.execPath, [BATON_BIN, 'mock-model', '--script', script, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const [first] = (await once(child.stdout, 'data')) as [Buffer];
    const announce = JSON.parse(first.toString()) as { url: string; apiKey: string };
    assert.match(announce.url, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const body = JSON.stringify({ model: 'm', stream: false, messages: [{ role: 'user', content: 'hi' }], tools: [{ type: 'function', function: { name: 'x', parameters: {} } }] });
    const denied = await fetch(`${announce.url}/chat/completions`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    assert.equal(denied.status, 401);
    const answered = await fetch(`${announce.url}/chat/completions`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${announce.apiKey}` },
    });
    assert.equal(answered.status, 200);
    assert.match(JSON.stringify(await answered.json()), /scripted hello/);
  } finally {
    child.kill('SIGTERM');
  }
  const [code] = await once(child, 'exit');
  assert.equal(code, 0);
});

test('baton mock-model names the bad field of a script and exits 2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-mock-cli-'));
  const script = join(dir, 'bad.json');
  writeFileSync(script, JSON.stringify({ steps: [{ tools: [{ name: 3 }] }] }));
  const result = await runCli(['mock-model', '--script', script], { ...process.env, BATON_HOME: dir });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /steps\[0\]\.tools\[0\]\.name/);
});
