import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../src/store/index.js';
import { BATON_BIN, fmtMs, median, percentile, type Row } from './lib.js';
import { isSupervisorOf, sampleProcesses, TICKS_PER_S } from './process-table.js';

/**
 * A tiny agent: prints a line every 200 ms until the bench releases it (or for at most $1 lines), then
 * its own CPU time (shell and children).
 */
const AGENT = `i=0; while [ ! -e "$2" ] && [ $i -lt $1 ]; do echo working $i; i=$((i+1)); sleep 0.2; done; times`;
const AGENT_NAME = 'baton-bench-agent';

interface Launch {
  ms: number;
  id: string;
}

function launch(env: NodeJS.ProcessEnv, dir: string, lines: number, release: string): Promise<Launch> {
  const started = performance.now();
  const command = `sh -c '${AGENT}' ${AGENT_NAME} ${lines} ${release} {prompt}`;
  const child = spawn(process.execPath, [BATON_BIN, 'run', '--json', '--runner', 'cmd', '--runner-option', `command=${command}`, '--dir', dir, 'bench'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (err += c));
  return new Promise((resolve, reject) => {
    child.on('close', (code) => {
      const ms = performance.now() - started;
      if (code !== 0) return reject(new Error(`baton run exited ${code}: ${err}`));
      resolve({ ms, id: (JSON.parse(out) as { id: string }).id });
    });
  });
}

/** Wall time of `node -e 0`, alone or many at once: the floor any Node launcher pays on this machine. */
function bareNode(): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  return new Promise((resolve) => child.on('close', () => resolve(performance.now() - started)));
}

function waitAll(env: NodeJS.ProcessEnv, ids: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BATON_BIN, 'wait', '--json', '--timeout', '5m', ...ids], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c) => (err += c));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`baton wait exited ${code}: ${err}`))));
  });
}

/**
 * `baton run` alone and 20 at once (p50/p95 against the lone median, measured in the same run), the
 * memory Baton holds per supervised run, and Baton's CPU as a share of its agents' own.
 */
export async function benchConcurrency(quick: boolean): Promise<Row[]> {
  const home = mkdtempSync(join(tmpdir(), 'baton-bench-conc-'));
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-conc-dir-'));
  writeFileSync(join(dir, 'README.md'), 'bench\n');
  // Every run holds its agent at once: this measures supervision, not the run queue.
  const env = { ...process.env, BATON_HOME: home, BATON_MAX_CONCURRENT: '100' };
  const concurrent = 20;
  const loneRounds = quick ? 3 : 7;
  // Bounds each agent's life; the bench releases them once all 20 have been seen alive together.
  const lines = 500;
  const release = join(dir, 'release');
  const unreleased = join(dir, 'never');

  const first = await launch(env, dir, 4, unreleased); // starts the home's supervisor host
  await waitAll(env, [first.id]);
  const lone: number[] = [];
  const loneNode: number[] = [];
  for (let i = 0; i < loneRounds; i++) {
    loneNode.push(await bareNode());
    const one = await launch(env, dir, 4, unreleased);
    lone.push(one.ms);
    await waitAll(env, [one.id]);
  }

  const supervised = isSupervisorOf(home);
  const peak = { batonKb: 0, agentsKb: 0, runs: 0 };
  // A host that already ran the lone launches counts only what it spent from here on.
  const ticksBefore = new Map([...sampleProcesses(supervised)].map(([pid, p]) => [pid, p.ticks]));
  const batonTicks = new Map<number, number>();
  let sampling = true;
  let allLaunched = false;
  let releaseAfter = Infinity;
  const sampler = (async () => {
    while (sampling) {
      const baton = sampleProcesses(supervised);
      const agents = sampleProcesses((c) => /^(\S*\/)?sh\0/.test(c) && c.includes(AGENT_NAME));
      // A shell caught between fork and exec of its `sleep` looks like another agent: not one.
      for (const [pid, p] of agents) if (agents.has(p.ppid)) agents.delete(pid);
      let batonKb = 0;
      for (const [pid, p] of baton) {
        batonKb += p.rssKb;
        batonTicks.set(pid, Math.max(batonTicks.get(pid) ?? 0, p.ticks));
      }
      let agentsKb = 0;
      for (const p of agents.values()) agentsKb += p.rssKb;
      if (agents.size > peak.runs || (agents.size === peak.runs && batonKb > peak.batonKb)) Object.assign(peak, { batonKb, agentsKb, runs: agents.size });
      if (peak.runs >= concurrent && allLaunched && Date.now() >= releaseAfter) writeFileSync(release, '');
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const nodeTogether = await Promise.all(Array.from({ length: concurrent }, bareNode));
  const launches = await Promise.all(Array.from({ length: concurrent }, () => launch(env, dir, lines, release)));
  // Supervision in its steady state, not only its start, for the CPU figure.
  releaseAfter = Date.now() + (quick ? 10_000 : 30_000);
  allLaunched = true;
  await waitAll(env, launches.map((l) => l.id));
  sampling = false;
  await sampler;

  let agentCpuUs = 0;
  for (const l of launches) {
    const log = readFileSync(join(home, 'runs', l.id, 'output.log'), 'utf8');
    // `times`: "0m0.001s 0m0.002s" for the shell, then the same for its children.
    for (const [, m, sec] of log.matchAll(/(\d+)m([\d.]+)s/g)) agentCpuUs += (Number(m) * 60 + Number(sec)) * 1e6;
  }
  let batonCpuTicks = 0;
  for (const [pid, t] of batonTicks) batonCpuTicks += t - (ticksBefore.get(pid) ?? 0);
  const batonCpuMs = (batonCpuTicks * 1000) / TICKS_PER_S;
  const agentCpuMs = agentCpuUs / 1000;

  const times = launches.map((l) => l.ms);
  const loneMs = median(lone);
  const p95 = percentile(times, 95);
  const ratio = p95 / loneMs;
  const perRunMb = peak.batonKb / 1024 / peak.runs;
  const share = batonCpuMs / agentCpuMs;
  // The tiny agent costs almost nothing, so the share says little; CPU per minute of supervision does.
  const store = openStore(home);
  let supervisedMs = 0;
  for (const l of launches) {
    const run = store.runs.get(l.id);
    if (run?.startedAt && run.endedAt) supervisedMs += run.endedAt - run.startedAt;
  }
  store.close();
  const perRunMinuteMs = batonCpuMs / (supervisedMs / 60_000);
  return [
    {
      claim: `${concurrent} baton run at once: p50 ${fmtMs(percentile(times, 50))}, p95`,
      measured: fmtMs(p95),
      baseline: `lone baton run (median of ${loneRounds}): ${fmtMs(loneMs)}`,
      ratio: `${ratio.toFixed(2)}x`,
      target: '<= 3x',
      ok: ratio <= 3,
    },
    {
      claim: `floor: ${concurrent} bare \`node -e 0\` at once: p95`,
      measured: fmtMs(percentile(nodeTogether, 95)),
      baseline: `lone node -e 0: ${fmtMs(median(loneNode))}`,
      ratio: `${(percentile(nodeTogether, 95) / median(loneNode)).toFixed(2)}x`,
      target: '-',
      ok: null,
    },
    {
      claim: 'first baton run of a home (starts the supervisor host)',
      measured: fmtMs(first.ms),
      baseline: `later lone runs: ${fmtMs(loneMs)}`,
      ratio: `${(first.ms / loneMs).toFixed(2)}x`,
      target: '-',
      ok: null,
    },
    {
      claim: `RSS Baton holds per supervised run (${peak.runs} runs live)`,
      measured: `${perRunMb.toFixed(1)} MB`,
      baseline: `Baton in all: ${(peak.batonKb / 1024).toFixed(1)} MB; agents: ${(peak.agentsKb / 1024 / peak.runs).toFixed(1)} MB each`,
      ratio: '-',
      target: '< 55 MB (one Node each)',
      ok: perRunMb < 20,
    },
    {
      claim: `Baton supervision CPU vs its agents' own (${concurrent} runs, a line per 200 ms each)`,
      measured: `${fmtMs(batonCpuMs)} (${fmtMs(perRunMinuteMs)} per run-minute, runs of ${fmtMs(supervisedMs / launches.length)})`,
      baseline: `agents: ${fmtMs(agentCpuMs)}`,
      ratio: agentCpuMs > 0 ? `${share.toFixed(2)}x` : '-',
      target: '-',
      ok: null,
    },
  ];
}
