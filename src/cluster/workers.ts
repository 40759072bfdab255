import type { Redis } from 'ioredis';
import { BatonError } from '../errors.js';
import { isProcessAlive } from '../processes/index.js';
import { CLUSTER_KEYS } from './keys.js';
import type { WorkerSighting } from './run-state.js';
import type { WorkerRunner } from './runners.js';

/** What a worker registers, and refreshes with every heartbeat. */
export interface WorkerInfo {
  name: string;
  host: string;
  pid: number;
  slots: number;
  /** Lead run ids it runs now. */
  running: string[];
  runners: WorkerRunner[];
  startedAt: number;
  heartbeatAt: number;
  /** Set when it stopped on a signal (SIGTERM/SIGINT), not lost. */
  stoppedAt?: number;
  /** How long after its last heartbeat it counts as lost. */
  lostAfterMs: number;
}

export type WorkerHealth = 'alive' | 'lost' | 'stopped';

export interface WorkerView extends Omit<WorkerInfo, 'running' | 'heartbeatAt' | 'startedAt' | 'stoppedAt'> {
  health: WorkerHealth;
  slotsUsed: number;
  slotsFree: number;
  running: string[];
  startedAt: string;
  lastHeartbeat: string;
  stoppedAt: string | null;
}

/**
 * A worker's first heartbeat. A name is one worker at a time: another live process holding it is a
 * conflict, while this host's dead process of the same name (killed, restarted) hands it over.
 */
export async function registerWorker(redis: Redis, info: WorkerInfo): Promise<void> {
  const held = await redis.get(CLUSTER_KEYS.alive(info.name));
  if (held) {
    const holder = JSON.parse(held) as { host: string; pid: number };
    const ours = holder.host === info.host && (holder.pid === info.pid || !isProcessAlive(holder.pid));
    if (!ours) throw new BatonError('conflict', `worker name ${info.name} is taken by pid ${holder.pid} on ${holder.host}; give another --name`);
  }
  await heartbeat(redis, info);
}

/** The alive key expires after lostAfterMs: a worker that stops heartbeating is lost without anyone deleting it. */
export async function heartbeat(redis: Redis, info: WorkerInfo): Promise<void> {
  await redis
    .multi()
    .set(CLUSTER_KEYS.alive(info.name), JSON.stringify({ host: info.host, pid: info.pid }), 'PX', info.lostAfterMs)
    .hset(CLUSTER_KEYS.workers, info.name, JSON.stringify(info))
    .exec();
}

/** A worker leaving on a signal: no longer alive, not lost either. */
export async function unregisterWorker(redis: Redis, info: WorkerInfo): Promise<void> {
  await redis.multi().del(CLUSTER_KEYS.alive(info.name)).hset(CLUSTER_KEYS.workers, info.name, JSON.stringify({ ...info, running: [], stoppedAt: Date.now() })).exec();
}

export async function listWorkers(redis: Redis): Promise<WorkerView[]> {
  const all = await redis.hgetall(CLUSTER_KEYS.workers);
  const infos = Object.values(all).map((text) => JSON.parse(text) as WorkerInfo);
  const pipeline = redis.pipeline();
  for (const info of infos) pipeline.exists(CLUSTER_KEYS.alive(info.name));
  const alive = ((await pipeline.exec()) ?? []).map((answer) => answer[1] === 1);
  return infos
    .map((info, i): WorkerView => {
      const iso = (ms: number) => new Date(ms).toISOString();
      return {
        name: info.name,
        host: info.host,
        pid: info.pid,
        slots: info.slots,
        runners: info.runners,
        lostAfterMs: info.lostAfterMs,
        health: alive[i] ? 'alive' : info.stoppedAt ? 'stopped' : 'lost',
        slotsUsed: alive[i] ? info.running.length : 0,
        slotsFree: alive[i] ? Math.max(0, info.slots - info.running.length) : 0,
        running: alive[i] ? info.running : [],
        startedAt: iso(info.startedAt),
        lastHeartbeat: iso(info.heartbeatAt),
        stoppedAt: info.stoppedAt ? iso(info.stoppedAt) : null,
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Whether each named worker is alive, and when it was last seen: what the lead needs to give up a lost worker's runs. */
export async function sightWorkers(redis: Redis, names: string[]): Promise<Map<string, WorkerSighting>> {
  const pipeline = redis.pipeline();
  for (const name of names) pipeline.exists(CLUSTER_KEYS.alive(name)).hget(CLUSTER_KEYS.workers, name);
  const answers = (await pipeline.exec()) ?? [];
  const sightings = new Map<string, WorkerSighting>();
  names.forEach((name, i) => {
    const info = answers[2 * i + 1]?.[1] ? (JSON.parse(answers[2 * i + 1]![1] as string) as WorkerInfo) : undefined;
    sightings.set(name, { alive: answers[2 * i]?.[1] === 1, host: info?.host ?? null, lastSeenAt: info?.heartbeatAt ?? null });
  });
  return sightings;
}
