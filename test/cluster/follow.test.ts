import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectRedis } from '../../src/cluster/connection.js';
import { followClusterRuns } from '../../src/cluster/follow.js';
import { CLUSTER_KEYS } from '../../src/cluster/keys.js';
import { waitFor } from '../wait-for.js';
import { startRedis } from './harness.js';

/**
 * The follower against a real Redis, over a fold that records what it was asked: the lead's real fold
 * is covered end to end by test/ui/cluster-dashboard.e2e.test.ts; here, what only a stand-in shows
 * (a failing fold, a stopped follower).
 */
test('a follower folds each pushed run, folds everything periodically, survives a failing fold, and stops when told', { timeout: 60_000 }, async (t) => {
  const redis = await startRedis(t);
  const client = await connectRedis(redis.url, {});
  t.after(() => client.disconnect());
  const asked: (string[] | undefined)[] = [];
  const changes: string[][] = [];
  const errors: unknown[] = [];
  let failNext = false;
  const stop = await followClusterRuns(
    {
      redis: async () => client,
      async refresh(ids) {
        asked.push(ids);
        if (failNext) {
          failNext = false;
          throw new Error('Redis went away');
        }
        return ids ?? [];
      },
    },
    { onChange: (ids) => changes.push(ids), onError: (error) => errors.push(error), lostCheckMs: 100 },
  );

  await client.publish(CLUSTER_KEYS.runEvents, 'run-a');
  await waitFor(() => changes.some((ids) => ids.join() === 'run-a'), { what: 'the pushed run to be folded and reported' });
  await waitFor(() => asked.filter((ids) => ids === undefined).length >= 2, { what: 'periodic folds of every run' });

  failNext = true;
  await waitFor(() => errors.length === 1, { what: 'the failed fold to be reported' });
  await client.publish(CLUSTER_KEYS.runEvents, 'run-b');
  await waitFor(() => changes.some((ids) => ids.join() === 'run-b'), { what: 'folding to go on after a failure' });

  stop();
  const askedAtStop = asked.length;
  await client.publish(CLUSTER_KEYS.runEvents, 'run-c');
  // Something that must not happen has no event to wait for: give it five periods, then look.
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.ok(asked.length <= askedAtStop + 1, `at most a fold already under way finishes after stop (${asked.length - askedAtStop} more)`);
  assert.ok(!changes.some((ids) => ids.includes('run-c')), 'a run pushed after stop is not folded');
});
