import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { Baton } from '../../src/baton.js';
import { connectRedis } from '../../src/cluster/connection.js';
import { localRunName } from '../../src/cluster/job.js';
import { CLUSTER_KEYS } from '../../src/cluster/keys.js';
import { LogRelay, type LogChunk } from '../../src/cluster/log-relay.js';
import { removeTestDir } from '../cleanup.js';
import { makeTempDir } from '../mock-model/agent-harness.js';
import { waitFor } from '../wait-for.js';
import { startRedis } from './harness.js';

test('log relay: publishes a run\'s log only while someone follows it, from the offset asked, then its end', async (t) => {
  const redis = await connectRedis((await startRedis(t)).url, {});
  t.after(() => redis.disconnect());
  const dir = await makeTempDir('baton-relay-');
  t.after(() => removeTestDir(dir));
  const local = new Baton({ home: join(dir, 'home'), env: { ...process.env, BATON_HOME: join(dir, 'home') }, local: true });
  t.after(() => local.close());
  const script = join(dir, 'talk.mjs');
  await writeFile(script, "for (let i = 0; i < 5; i++) { console.log('line ' + i); await new Promise((r) => setTimeout(r, 100)); }\n");
  const launched = await local.run({ runner: 'cmd', dir, prompt: 'talk', name: localRunName('r1'), runnerOptions: { command: `${process.execPath} ${script} {prompt}` } });
  await local.wait([launched.id], { timeoutMs: 30_000 });
  const log = readFileSync(launched.log, 'utf8');
  assert.match(log, /line 4/);

  const chunks: LogChunk[] = [];
  const subscriber = redis.duplicate();
  t.after(() => subscriber.disconnect());
  subscriber.on('message', (_channel: string, message: string) => chunks.push(JSON.parse(message) as LogChunk));
  await subscriber.subscribe(CLUSTER_KEYS.log('r1'));
  const relay = new LogRelay(redis, local);

  // Nobody keeps the follow key alive: nothing is read or published, and the request is forgotten.
  relay.want('r1', 0);
  await relay.tick();
  await redis.set(CLUSTER_KEYS.following('r1'), '1', 'PX', 10_000);
  await relay.tick();
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(chunks.length, 0, 'nothing published while nobody follows');

  const from = log.indexOf('line 2');
  relay.want('r1', from);
  await relay.tick();
  const end = await waitFor(() => chunks.find((chunk) => chunk.end), { what: 'the end of the relayed log', timeoutMs: 10_000 });
  assert.equal(end.end, 'completed');
  assert.equal(chunks.map((chunk) => chunk.text).join(''), log.slice(from));
  assert.deepEqual([chunks[0]!.from, end.to], [from, Buffer.byteLength(log)]);
});
