import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScript, startMockModel } from '../src/mock-model/index.js';
import { cleanupStack } from './cleanup.js';

test('a setup that throws after starting the mock server still closes it', async (t) => {
  let url: string | undefined;
  // A todo subtest: its expected failure is reported, not counted against the suite.
  await t.test('setup fails after the server started', { todo: 'fails on purpose' }, async (inner) => {
    const defer = cleanupStack(inner);
    const mock = await startMockModel({ script: parseScript({ steps: [] }), apiKey: 'k' });
    defer(() => mock.close());
    url = mock.url;
    await fetch(`${url}/models`).catch(() => undefined); // the server answers while the test runs
    throw new Error('the sandbox could not be prepared');
  });
  assert.ok(url);
  await assert.rejects(fetch(`${url}/models`), "nothing listens on the server's port any more");
});

test('cleanupStack runs its steps last-first, whatever order node:test runs after hooks in', async (t) => {
  const order: string[] = [];
  await t.test('inner', async (inner) => {
    const defer = cleanupStack(inner);
    defer(() => order.push('dir'));
    defer(async () => order.push('server'));
    defer(() => order.push('runs'));
  });
  assert.deepEqual(order, ['runs', 'server', 'dir']);
});
