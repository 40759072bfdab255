import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { startMcpSession, textOf } from './harness.js';

test('the run tool bounds its timeouts like the CLI: over 366 days is a tool error naming the field', async (t) => {
  const session = await startMcpSession(t, { steps: [] });
  for (const field of ['timeoutSeconds', 'stallAfterSeconds']) {
    const result = await session.call('run', { prompt: 'hi', dir: tmpdir(), runner: 'opencode', [field]: 367 * 86_400 });
    assert.equal(result.isError, true, field);
    assert.match(textOf(result), new RegExp(field));
  }
  const { runs } = (await session.call('list', {})).structuredContent as { runs: unknown[] };
  assert.deepEqual(runs, [], 'nothing was launched');
});
