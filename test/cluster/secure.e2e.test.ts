import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { startCluster, writeAgent } from './harness.js';

/** Every value Redis holds, as text: what a reader of the Redis host (or its dump files) could see. */
async function everythingIn(url: string, caFile: string): Promise<string> {
  const redis = new Redis(url, { tls: { ca: readFileSync(caFile) }, lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  await redis.connect();
  try {
    const parts: string[] = [];
    for (const key of await redis.keys('*')) {
      const type = await redis.type(key);
      const value =
        type === 'string' ? await redis.get(key)
        : type === 'hash' ? await redis.hgetall(key)
        : type === 'list' ? await redis.lrange(key, 0, -1)
        : type === 'set' ? await redis.smembers(key)
        : type === 'zset' ? await redis.zrange(key, 0, -1)
        : type === 'stream' ? await redis.xrange(key, '-', '+')
        : null;
      parts.push(`${key} ${JSON.stringify(value)}`);
    }
    return parts.join('\n');
  } finally {
    redis.disconnect();
  }
}

/** Every file under dir, as text (SQLite store, logs, configs). */
function filesUnder(dir: string): string {
  let text = '';
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path);
    if (stat.isDirectory()) text += filesUnder(path);
    else if (stat.isFile()) text += readFileSync(path).toString('latin1');
  }
  return text;
}

test('a Redis with TLS and a password (rediss://): runs go through it, and the password is never printed nor stored in job data, the store or a worker home', async (t) => {
  const cluster = await startCluster(t, { redis: { secure: true } });
  const password = cluster.redis.password!;
  assert.match(cluster.redis.url, /^rediss:\/\/:pw-/);
  const agent = await writeAgent(cluster.scratch, 500);
  const worker = await cluster.startWorker('w1');
  const launched = await cluster.cli(['run', '--json', '--runner', 'cmd', '--runner-option', `command=${agent.command}`, '--dir', cluster.repo, 'secure.txt']);
  assert.equal(launched.code, 0, launched.stderr);
  const waited = await cluster.cli(['wait', '--json', '--timeout', '40s', launched.json.id], { timeoutMs: 50_000 });
  assert.equal(waited.json.runs[0].state, 'completed', waited.stdout + waited.stderr);
  assert.equal(waited.json.runs[0].worker.name, 'w1');
  const status = await cluster.cli(['status', launched.json.id]);
  const workers = await cluster.cli(['workers', '--json']);
  assert.deepEqual(workers.json.map((w: { name: string; health: string }) => [w.name, w.health]), [['w1', 'alive']]);

  // A wrong password is refused fast, named without either password.
  const wrong = cluster.redis.url.replace(password, 'not-the-password');
  const refused = await cluster.cli(['run', '--json', '--runner', 'cmd', '--runner-option', `command=${agent.command}`, '--dir', cluster.repo, 'x.txt'], { env: { BATON_REDIS_URL: wrong } });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, new RegExp(`cannot reach Redis at rediss://:\\*\\*\\*@127\\.0\\.0\\.1:${cluster.redis.port}`));

  const said = [launched, waited, status, workers, refused].map((r) => r.stdout + r.stderr).join('\n') + worker.log();
  assert.doesNotMatch(said, new RegExp(password), 'no output names the password');
  assert.doesNotMatch(said, /not-the-password/);
  const inRedis = await everythingIn(cluster.redis.url, cluster.redis.caFile!);
  assert.ok(inRedis.includes(`baton:run:${launched.json.id}`) && inRedis.includes('secure.txt'), 'the dump holds the run\'s state and its job data');
  assert.doesNotMatch(inRedis, new RegExp(password), 'no job data or run state holds the password');
  assert.doesNotMatch(filesUnder(cluster.env.BATON_HOME!), new RegExp(password), 'the lead\'s store and logs do not hold it');
  assert.doesNotMatch(filesUnder(worker.home), new RegExp(password), 'the worker\'s home does not hold it');
});
