import type { Redis } from 'ioredis';
import { CLUSTER_KEYS } from './keys.js';
import type { WorkerSighting } from './run-state.js';
import { sightWorkers, type WorkerInfo } from './workers.js';

/**
 * Whether each named worker is alive, as the lead may judge it: a missing heartbeat key means a lost
 * worker only once Redis has been up for the worker's whole lost bound.
 *
 * Why: a heartbeat key carries its TTL as an absolute expiry, persisted with it. When Redis was down
 * (restarting, even with its persistence on) for longer than the bound, every worker's key is expired
 * when it comes back, though no worker stopped: they were waiting to reconnect. Until each has had a
 * whole bound to reconnect and beat again, an absent key says nothing about the worker. A worker whose
 * key is absent after that lapsed while Redis was up, which is what "lost" means.
 */
export async function judgeWorkers(redis: Redis, names: string[]): Promise<Map<string, WorkerSighting>> {
  const sightings = await sightWorkers(redis, names);
  const missing = names.filter((name) => sightings.get(name)?.alive === false);
  if (missing.length === 0) return sightings;
  const uptimeMs = await redisUptimeMs(redis);
  if (uptimeMs === undefined) return sightings;
  const bounds = await lostBounds(redis, missing);
  for (const name of missing) {
    const bound = bounds.get(name);
    if (bound !== undefined && uptimeMs < bound) sightings.set(name, { ...sightings.get(name)!, alive: true });
  }
  return sightings;
}

/**
 * How long this Redis has been up, rounded down to the second (so never more than it really was);
 * undefined when INFO is not allowed (some hosted Redis rename it): then heartbeats are judged as they are.
 */
export async function redisUptimeMs(redis: Redis): Promise<number | undefined> {
  let info: string;
  try {
    info = await redis.info('server');
  } catch (error) {
    // Only a refused INFO means "cannot tell"; a connection that just dropped must not let a stale sighting judge.
    if (/unknown command|NOPERM|no permissions/i.test((error as Error).message)) return undefined;
    throw error;
  }
  const match = /^uptime_in_seconds:(\d+)/m.exec(info);
  return match ? Number(match[1]) * 1_000 : undefined;
}

/** Each worker's lost bound, from its registration. */
async function lostBounds(redis: Redis, names: string[]): Promise<Map<string, number>> {
  const infos = await redis.hmget(CLUSTER_KEYS.workers, ...names);
  const bounds = new Map<string, number>();
  names.forEach((name, i) => {
    const text = infos[i];
    if (text) bounds.set(name, (JSON.parse(text) as WorkerInfo).lostAfterMs);
  });
  return bounds;
}
