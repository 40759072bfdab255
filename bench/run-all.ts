import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchAgentShare } from './agent-share.js';
import { makeOmoLog } from './big-log.js';
import { benchCluster } from './cluster.js';
import { benchColdStart } from './cold-start.js';
import { benchCompletionLatency } from './completion-latency.js';
import { benchConcurrency } from './concurrency.js';
import { benchDashboard } from './dashboard.js';
import { benchInstallSize } from './install-size.js';
import { benchLeadCost } from './lead-cost.js';
import { printTable, type Row } from './lib.js';
import { benchJsonlParsers, benchParserThroughput } from './parser-throughput.js';
import { benchMergeQueue, benchParallelWall } from './parallel-plan.js';
import { benchPlanOverhead } from './plan-overhead.js';
import { benchQueueLatency } from './queue-latency.js';
import { benchTokenEconomy } from './token-economy.js';
import { benchStatusOnBigLogs } from './status-big-log.js';

/**
 * npm run bench [-- --quick]: every measured claim of the foundation, side by side with a baseline
 * measured in the same run. --quick uses a 100 MB log and fewer runs.
 */
const quick = process.argv.includes('--quick');
const dir = join(tmpdir(), 'baton-bench');
mkdirSync(dir, { recursive: true });
const small = join(dir, 'omo-1mb.log');
const big = join(dir, quick ? 'omo-100mb.log' : 'omo-1gb.log');
process.stderr.write('preparing logs…\n');
makeOmoLog(small, 1 << 20);
makeOmoLog(big, quick ? 100 << 20 : 1 << 30);

const rows: Row[] = [];
const step = async (name: string, run: () => Promise<Row[]> | Row[]) => {
  process.stderr.write(`${name}…\n`);
  rows.push(...(await run()));
};
await step('install size', benchInstallSize);
await step('CLI cold start', () => benchColdStart(quick ? 10 : 25));
await step('parser throughput', () => benchParserThroughput(big));
await step('JSONL parsers throughput', () => benchJsonlParsers(quick ? 16 << 20 : 64 << 20));
await step('status on big logs', () => benchStatusOnBigLogs(small, big, quick ? 5 : 15));
await step('completion latency (real opencode runs)', () => benchCompletionLatency(quick ? 5 : 20));
await step('20 launches at once: latency, RSS and CPU per supervised run', () => benchConcurrency(quick));
await step('run queue: start latency after a slot frees', () => benchQueueLatency(quick));
await step("20 runs alive: Baton's RSS and CPU as a share of the agents' own", () => benchAgentShare(quick));
await step('plan overhead per phase', () => benchPlanOverhead(quick ? 8 : 21));
await step('parallel plan: two independent pairs at maxParallel 2 vs serial', () => benchParallelWall(quick));
await step('merge queue overhead per phase', () => benchMergeQueue(quick));
await step('token economy per look', benchTokenEconomy);
await step('dashboard paging and live updates', () => benchDashboard(quick));
await step('cluster: 3 workers vs 1, dispatch latency, Redis commands per run', () => benchCluster(quick));
await step('lead cost per approach (real claude runs, scripted)', () => benchLeadCost(quick));
console.log('');
printTable(rows);
