import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Baton } from '../src/baton.js';
import { fmtMs, type Row } from './lib.js';
import { isSupervisorOf, sampleProcesses, ticksBetween, TICKS_PER_S, totalRssKb, type ProcessSample } from './process-table.js';

/**
 * A stand-in for an agent CLI's footprint: holds ~20 MB (touched, so resident), and every 200 ms burns
 * ~5 ms of CPU and prints a line (what Baton's supervision has to read), until the bench releases it.
 */
const AGENT = `import { existsSync } from 'node:fs';
const [release, maxSeconds] = process.argv.slice(2);
const held = Buffer.alloc(20 << 20, 1);
const end = Date.now() + Number(maxSeconds) * 1000;
const timer = setInterval(() => {
  const until = performance.now() + 5;
  while (performance.now() < until);
  console.log('working', held[held.length - 1]);
  if (existsSync(release) || Date.now() > end) {
    clearInterval(timer);
    console.log('DONE');
  }
}, 200);
`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Baton's own processes (supervisor host, supervisors) against its agents' process groups, with 20
 * runs alive at once: RSS (mean over the window) and CPU (ticks spent in the window) as shares.
 */
export async function benchAgentShare(quick: boolean): Promise<Row[]> {
  const root = mkdtempSync(join(tmpdir(), 'baton-bench-share-'));
  const home = join(root, 'home');
  const agent = join(root, 'agent.mjs');
  const release = join(root, 'release');
  writeFileSync(agent, AGENT);
  const count = 20;
  const windowMs = quick ? 10_000 : 30_000;
  // Every run holds its agent at once: this measures supervision, not the run queue.
  const baton = new Baton({ home, env: { ...process.env, BATON_HOME: home, BATON_MAX_CONCURRENT: String(count * 2) } });
  try {
    const command = `${process.execPath} ${agent} ${release} ${Math.ceil(windowMs / 1000) + 120} {prompt}`;
    const ids: string[] = [];
    for (let i = 0; i < count; i++) ids.push((await baton.run({ runner: 'cmd', runnerOptions: { command }, dir: root, prompt: `share${i}` })).id);

    const deadline = Date.now() + 120_000;
    let groups = new Set<number>();
    for (;;) {
      const runs = ids.map((id) => baton.resolveRun(id));
      groups = new Set(runs.flatMap((r) => (r.state === 'running' && r.pgid ? [r.pgid] : [])));
      if (groups.size === count) break;
      if (Date.now() > deadline) throw new Error(`only ${groups.size} of ${count} agents running after 2 minutes: ${runs.map((r) => r.state).join(',')}`);
      await sleep(200);
    }

    const batonOf = isSupervisorOf(home);
    const agentsOf = (_cmdline: string, _pid: string, pgid: number) => groups.has(pgid);
    const rss = { baton: 0, agents: 0, samples: 0 };
    const first = { baton: sampleProcesses(batonOf), agents: sampleProcesses(agentsOf) };
    let last: { baton: Map<number, ProcessSample>; agents: Map<number, ProcessSample> } = first;
    const windowEnd = Date.now() + windowMs;
    while (Date.now() < windowEnd) {
      await sleep(500);
      last = { baton: sampleProcesses(batonOf), agents: sampleProcesses(agentsOf) };
      rss.baton += totalRssKb(last.baton);
      rss.agents += totalRssKb(last.agents);
      rss.samples++;
    }
    const alive = new Set([...last.agents.values()].map((p) => p.pgid)).size;
    writeFileSync(release, '');
    await baton.wait(ids, { timeoutMs: 120_000 });

    const batonMb = rss.baton / rss.samples / 1024;
    const agentsMb = rss.agents / rss.samples / 1024;
    const batonCpuMs = (ticksBetween(first.baton, last.baton) * 1000) / TICKS_PER_S;
    const agentsCpuMs = (ticksBetween(first.agents, last.agents) * 1000) / TICKS_PER_S;
    const supervisors = last.baton.size;
    return [
      {
        claim: `Baton's RSS with ${count} runs alive (${alive} at the end), as a share of its agents' (each holding ~20 MB)`,
        measured: `Baton: ${batonMb.toFixed(1)} MB in ${supervisors} process${supervisors === 1 ? '' : 'es'}`,
        baseline: `agents: ${agentsMb.toFixed(1)} MB (${(agentsMb / count).toFixed(1)} MB each)`,
        ratio: `${((batonMb / agentsMb) * 100).toFixed(1)}%`,
        target: '-',
        ok: null,
      },
      {
        claim: `Baton's CPU with ${count} runs alive, as a share of its agents' (~5 ms of CPU and a line per 200 ms each, ${fmtMs(windowMs)} window)`,
        measured: `Baton: ${fmtMs(batonCpuMs)}`,
        baseline: `agents: ${fmtMs(agentsCpuMs)}`,
        ratio: agentsCpuMs > 0 ? `${((batonCpuMs / agentsCpuMs) * 100).toFixed(1)}%` : '-',
        target: '-',
        ok: null,
      },
    ];
  } finally {
    writeFileSync(release, '');
    baton.close();
  }
}
