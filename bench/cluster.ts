import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { Redis } from 'ioredis';
import { connectRedis } from '../src/cluster/connection.js';
import { CLUSTER_KEYS } from '../src/cluster/keys.js';
import { startCluster, type TestCluster } from '../test/cluster/harness.js';
import { waitFor } from '../test/wait-for.js';
import { BATON_BIN, fmtMs, median, percentile, runBatonJson, timeCommand, type Row } from './lib.js';

/**
 * The cluster harness of the e2e tests (its own redis-server on a free loopback port, a bare remote,
 * `baton worker` processes with their own homes) registers its teardown with `t.after`; a bench has no
 * test, so it keeps the steps itself and runs them, last first, when it is done.
 */
function teardownScope(): { t: TestContext; close(): Promise<void> } {
  const steps: (() => unknown)[] = [];
  const t = { after: (step: () => unknown) => void steps.push(step) } as unknown as TestContext;
  return {
    t,
    async close() {
      for (const step of steps.reverse()) await step();
    },
  };
}

/** Writes `start NAME MS` when it starts (its first line) and `end NAME MS` after sleeping $1 seconds. */
function writeAgent(cluster: TestCluster): { command: (sleepS: number) => string; events: string } {
  const events = join(cluster.scratch, 'events.log');
  writeFileSync(events, '');
  const path = join(cluster.scratch, 'agent.sh');
  writeFileSync(
    path,
    `#!/bin/sh\necho "start $2 $(date +%s%3N)" >> ${events}\nsleep "$1"\necho x > "$2.txt"\necho "end $2 $(date +%s%3N)" >> ${events}\n`,
  );
  chmodSync(path, 0o755);
  return { command: (sleepS) => `sh ${path} ${sleepS} {prompt}`, events };
}

function readEvents(path: string): Map<string, { start?: number; end?: number }> {
  const byName = new Map<string, { start?: number; end?: number }>();
  if (!existsSync(path)) return byName;
  for (const line of readFileSync(path, 'utf8').split('\n').filter(Boolean)) {
    const [kind, name, at] = line.split(' ') as ['start' | 'end', string, string];
    byName.set(name, { ...byName.get(name), [kind]: Number(at) });
  }
  return byName;
}

async function launch(cluster: TestCluster, command: string, name: string): Promise<string> {
  const run = await runBatonJson(['run', '--runner', 'cmd', '--runner-option', `command=${command}`, '--dir', cluster.repo, name], cluster.env);
  if (typeof run.id !== 'string' || run.state !== 'queued') throw new Error(`baton run was not dispatched: ${JSON.stringify(run)}`);
  return run.id;
}

async function waitCompleted(cluster: TestCluster, ids: string[]): Promise<void> {
  const waited = await runBatonJson(['wait', '--timeout', '10m', ...ids], cluster.env);
  const bad = (waited.runs as { id: string; state: string }[]).filter((run) => run.state !== 'completed');
  if (waited.timedOut || bad.length > 0) throw new Error(`cluster bench runs did not all complete: ${JSON.stringify(waited.runs)}`);
}

/**
 * All `count` runs launched at once; to the last agent's end from the first call, and from the first
 * agent's start (the workers' own throughput, without the lead's CLIs starting up on this busy machine).
 */
async function batchWall(cluster: TestCluster, agent: ReturnType<typeof writeAgent>, prefix: string, count: number, sleepS: number): Promise<{ fromCall: number; fromFirstStart: number }> {
  const calledAt = Date.now();
  const names = Array.from({ length: count }, (_, i) => `${prefix}${i}`);
  const ids = await Promise.all(names.map((name) => launch(cluster, agent.command(sleepS), name)));
  await waitCompleted(cluster, ids);
  const seen = readEvents(agent.events);
  const lastEnd = Math.max(...names.map((name) => seen.get(name)!.end!));
  return { fromCall: lastEnd - calledAt, fromFirstStart: lastEnd - Math.min(...names.map((name) => seen.get(name)!.start!)) };
}

interface Traffic {
  commands: number;
  /** A MULTI…EXEC block counts once: ioredis sends it in one write and reads one answer. */
  roundTrips: number;
}

/** What each client sends while `during` runs, by client address, as Redis's MONITOR sees it. */
async function countCommands(url: string, during: () => Promise<void>): Promise<Map<string, Traffic>> {
  const client = await connectRedis(url, process.env);
  const monitor = await client.monitor();
  const bySource = new Map<string, Traffic & { inMulti: boolean }>();
  // Commands a Lua script runs show with the source "lua": the script's call already counted them.
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (source === 'lua') return;
    const traffic = bySource.get(source) ?? { commands: 0, roundTrips: 0, inMulti: false };
    const command = String(args[0]).toLowerCase();
    traffic.commands++;
    if (!traffic.inMulti) traffic.roundTrips++;
    if (command === 'multi') traffic.inMulti = true;
    if (command === 'exec' || command === 'discard') traffic.inMulti = false;
    bySource.set(source, traffic);
  });
  try {
    await during();
  } finally {
    monitor.disconnect();
    client.disconnect();
  }
  return bySource;
}

async function clientAddresses(redis: Redis): Promise<Set<string>> {
  const list = (await redis.client('LIST')) as string;
  return new Set(list.split('\n').flatMap((line) => /(?:^| )addr=(\S+)/.exec(line)?.[1] ?? []));
}

/**
 * Issue 13's bench rows, all on this machine with the e2e tests' cluster: 12 runs of ~5 s over three
 * one-slot workers against the same over one; dispatch latency from `baton run` to the agent's first
 * line on an idle worker; and the Redis commands a run costs the lead and the workers.
 */
export async function benchCluster(quick: boolean): Promise<Row[]> {
  const scope = teardownScope();
  try {
    const cluster = await startCluster(scope.t);
    const agent = writeAgent(cluster);
    const redis = await connectRedis(cluster.redis.url, process.env);
    scope.t.after(() => redis.disconnect());
    const count = quick ? 6 : 12;
    const sleepS = quick ? 3 : 5;

    // (a) Throughput: one worker, then three.
    await cluster.startWorker('w1');
    const oneWall = await batchWall(cluster, agent, 'one', count, sleepS);
    await Promise.all(['w2', 'w3'].map((name) => cluster.startWorker(name)));
    const threeWall = await batchWall(cluster, agent, 'three', count, sleepS);

    // (b) Dispatch latency, one run at a time on idle workers; the lead CLI's own start-up beside it.
    const rounds = quick ? 6 : 12;
    const fromCall: number[] = [];
    // Where the time goes: queued (the job added → a worker claims it) and starting (claimed → the agent's first line).
    const queued: number[] = [];
    const starting: number[] = [];
    const startup: number[] = [];
    for (let i = 0; i < rounds; i++) {
      startup.push(timeCommand(process.execPath, [BATON_BIN, '--version'], cluster.env));
      const name = `lat${i}`;
      const calledAt = Date.now();
      const id = await launch(cluster, agent.command(0.2), name);
      const started = await waitFor(() => readEvents(agent.events).get(name)?.start, { what: `run ${name} to start on a worker`, timeoutMs: 60_000, intervalMs: 10 });
      fromCall.push(started - calledAt);
      const claimedAt = Number(await redis.hget(CLUSTER_KEYS.run(id), 'claimedAt'));
      // BullMQ keeps the time a job was added in the job's hash.
      const addedAt = Number(await redis.hget(`bull:${CLUSTER_KEYS.queue('cmd')}:${id}`, 'timestamp'));
      queued.push(claimedAt - addedAt);
      starting.push(started - claimedAt);
      await waitCompleted(cluster, [id]);
    }

    // (c) Redis commands: three idle workers for a while (their polling and heartbeats), then a batch.
    const idleMs = quick ? 3_000 : 5_000;
    let idleStart = 0;
    const idle = await countCommands(cluster.redis.url, async () => {
      idleStart = Date.now();
      await new Promise((resolve) => setTimeout(resolve, idleMs));
    });
    const idleRate = (sum([...idle.values()].map((t) => t.roundTrips)) / (Date.now() - idleStart)) * 1000;
    let batchMs = 0;
    const busy = await countCommands(cluster.redis.url, async () => {
      const startedAt = Date.now();
      const ids = await Promise.all(Array.from({ length: count }, (_, i) => launch(cluster, agent.command(0.2), `rt${i}`)));
      await waitCompleted(cluster, ids);
      batchMs = Date.now() - startedAt;
    });
    // The clients still connected after the batch are the workers' (and this bench's own); the lead's CLIs have exited.
    const own = await clientAddresses(redis);
    const lead: Traffic = { commands: 0, roundTrips: 0 };
    const worker: Traffic = { commands: 0, roundTrips: 0 };
    for (const [source, traffic] of busy) {
      const side = own.has(source) ? worker : lead;
      side.commands += traffic.commands;
      side.roundTrips += traffic.roundTrips;
    }
    const perRun = (traffic: Traffic) => `${(traffic.roundTrips / count).toFixed(1)} (${(traffic.commands / count).toFixed(1)} commands)`;

    const ratio = oneWall.fromFirstStart / threeWall.fromFirstStart;
    const p95 = percentile(fromCall, 95);
    const cli = median(startup);
    return [
      {
        claim: `cluster: ${count} runs of ~${sleepS} s launched at once, 3 workers x 1 slot (first agent start → last end; from the first call)`,
        measured: `${fmtMs(threeWall.fromFirstStart)} (${fmtMs(threeWall.fromCall)})`,
        baseline: `the same over 1 worker x 1 slot: ${fmtMs(oneWall.fromFirstStart)} (${fmtMs(oneWall.fromCall)})`,
        ratio: `${ratio.toFixed(2)}x throughput`,
        target: 'about 3x',
        ok: ratio >= 2.4,
      },
      {
        claim: `cluster: baton run called → agent's first line on an idle worker, p95 of ${rounds}`,
        measured: `${fmtMs(p95)} (p50 ${fmtMs(percentile(fromCall, 50))}; job added → claimed p50 ${fmtMs(percentile(queued, 50))} p95 ${fmtMs(percentile(queued, 95))}; claimed → agent's first line p50 ${fmtMs(percentile(starting, 50))})`,
        baseline: `the lead CLI's start-up (baton --version): ${fmtMs(cli)}`,
        ratio: `${(p95 / cli).toFixed(1)}x`,
        target: 'p95 <= 3x the CLI start-up',
        ok: p95 / cli <= 3,
      },
      {
        claim: `cluster: Redis round trips per run (${count} short runs at once, run + wait; MULTI…EXEC counts once)`,
        measured: `lead ${perRun(lead)}, workers ${perRun(worker)} (their polling and heartbeats over the ${fmtMs(batchMs)} included)`,
        baseline: `3 idle workers, polling and heartbeats: ${idleRate.toFixed(1)} round trips/s`,
        ratio: '-',
        target: '-',
        ok: null,
      },
    ];
  } finally {
    await scope.close();
  }
}

function sum(values: Iterable<number>): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
