import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { redactUrl, resolveRedisTarget } from '../../src/cluster/connection.js';
import { BatonError } from '../../src/errors.js';
import { makeTempDir } from '../mock-model/agent-harness.js';
import { removeTestDir } from '../cleanup.js';

test('a Redis URL is shown with its password replaced, whatever its form', () => {
  assert.equal(redactUrl('redis://:hunter2@queue.internal:6379'), 'redis://:***@queue.internal:6379');
  assert.equal(redactUrl('rediss://baton:hunter2@queue.internal:6380/2'), 'rediss://baton:***@queue.internal:6380/2');
  assert.equal(redactUrl('redis://127.0.0.1:6379'), 'redis://127.0.0.1:6379');
  assert.doesNotMatch(redactUrl('redis://:hun ter2@bad host'), /hun ter2/);
});

test('the flag wins over BATON_REDIS_URL, which wins over cluster.redis in config.json', async (t) => {
  const home = await makeTempDir('baton-cluster-config-');
  t.after(() => removeTestDir(home));
  mkdirSync(home, { recursive: true });
  assert.equal(resolveRedisTarget(home, {}), undefined, 'no cluster: runs stay here');
  writeFileSync(join(home, 'config.json'), JSON.stringify({ maxConcurrent: 2, cluster: { redis: 'redis://from-file:6379' } }));
  assert.deepEqual(resolveRedisTarget(home, {}), { url: 'redis://from-file:6379', source: 'config.json' });
  assert.deepEqual(resolveRedisTarget(home, { BATON_REDIS_URL: 'redis://from-env:6379' }), { url: 'redis://from-env:6379', source: 'BATON_REDIS_URL' });
  assert.deepEqual(resolveRedisTarget(home, { BATON_REDIS_URL: 'redis://from-env:6379' }, 'rediss://from-flag:6380'), { url: 'rediss://from-flag:6380', source: '--redis' });
});

test('a URL that is not redis:// or rediss://, or a malformed cluster entry, is a usage error that keeps the password out', async (t) => {
  const home = await makeTempDir('baton-cluster-config-');
  t.after(() => removeTestDir(home));
  assert.throws(() => resolveRedisTarget(home, { BATON_REDIS_URL: 'http://:pw123@host:6379' }), (error: unknown) => {
    assert.ok(error instanceof BatonError && error.kind === 'usage');
    assert.match(error.message, /redis:\/\/ or rediss:\/\//);
    assert.doesNotMatch(error.message, /pw123/);
    return true;
  });
  writeFileSync(join(home, 'config.json'), JSON.stringify({ cluster: 'redis://x' }));
  assert.throws(() => resolveRedisTarget(home, {}), /cluster in .*config\.json must be \{"redis": "redis:\/\/host:6379"\}/);
});
