import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Baton } from '../src/baton.js';
import { emptyDigest } from '../src/digest.js';
import type { NewRun, RunState } from '../src/store/runs.js';
import { startUiServer, type UiServer } from '../src/ui/server.js';
import { fmtMs, median, percentile, type Row } from './lib.js';

const STATES: RunState[] = ['completed', 'incomplete', 'failed', 'killed', 'limited'];

/** A finished run as a real one leaves it: a full digest with growth samples, reasons, commands. */
function historicRun(i: number, now: number): NewRun {
  const digest = emptyDigest();
  digest.growth = Array.from({ length: 80 }, (_, k) => [now - (80 - k) * 15_000, k * 40] as [number, number]);
  for (let k = 0; k < 30; k++) digest.recent.push({ at: now - k * 1_000, kind: 'tool', summary: `edit src/module-${k}.ts` });
  for (let k = 0; k < 50; k++) digest.commands.push({ command: `cargo test -p crate-${k}`, status: 'completed', exitCode: k % 7 === 0 ? 1 : 0, at: now - k * 2_000 });
  digest.filesEdited = Array.from({ length: 40 }, (_, k) => `/work/repo-${i % 12}/src/file-${k}.ts`);
  return {
    id: `h${String(i).padStart(7, '0')}`, name: `phase-${i}`, runner: 'omo', agent: 'hephaestus', model: 'openai/gpt-5', dir: `/work/repo-${i % 12}`,
    prompt: `Phase ${i}\n\n## Files to Create/Modify\n- \`src/file-1.ts\`\n`, promptFile: null, parentId: null, executor: 'local', host: 'h', pid: null, pgid: null,
    supervisorPid: null, sessionId: `ses_${i}`, state: STATES[i % STATES.length]!, reasons: i % 3 === 0 ? ['missing file src/file-1.ts'] : [], exitCode: 0, limitResetAt: null,
    signal: null, killRequestedAt: null, createdAt: now - (100_000 - i) * 1_000, startedAt: now - (100_000 - i) * 1_000, endedAt: now - (100_000 - i) * 1_000 + 600_000,
    stallAfterMs: 300_000, timeoutMs: null, logPath: '/nonexistent.log', outputBytes: 1 << 20, outputLines: 3_200, parsedOffset: 1 << 20, lastOutputAt: now, lastActivityAt: now,
    digest, finalMessage: 'Phase complete.', baseline: null, sessionEnv: {}, runnerOptions: {},
  };
}

async function withDashboard<T>(runs: number, body: (server: UiServer, baton: Baton) => Promise<T>): Promise<T> {
  const home = mkdtempSync(join(tmpdir(), 'baton-bench-ui-'));
  const baton = new Baton({ home });
  const now = Date.now();
  const insert = baton.store.db.transaction(() => {
    for (let i = 0; i < runs; i++) baton.store.runs.insert(historicRun(i, now));
  });
  insert();
  const server = await startUiServer(baton, { pollMs: 200 });
  try {
    return await body(server, baton);
  } finally {
    await server.close();
    baton.close();
  }
}

async function timePage(server: UiServer, query: string, repeats: number): Promise<number> {
  const headers = { authorization: `Bearer ${server.token}` };
  const times: number[] = [];
  for (let i = 0; i < repeats + 2; i++) {
    const started = performance.now();
    const response = await fetch(`${server.url}api/runs?${query}`, { headers });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`GET /api/runs?${query}: ${response.status}`);
    if (i >= 2) times.push(performance.now() - started);
  }
  return median(times);
}

/** From a change in the store to the `runs` event on an open /api/stream, over `samples` changes. */
async function liveLatency(server: UiServer, baton: Baton, samples: number): Promise<number[]> {
  const id = baton.store.runs.list({ limit: 1 })[0]!.id;
  const controller = new AbortController();
  const response = await fetch(`${server.url}api/stream`, { headers: { authorization: `Bearer ${server.token}` }, signal: controller.signal });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const latencies: number[] = [];
  let buffer = '';
  for (let n = 1; n <= samples; n++) {
    await new Promise((r) => setTimeout(r, 50 + Math.random() * 250));
    const changedAt = performance.now();
    baton.store.runs.update(id, { outputLines: 10_000 + n });
    for (;;) {
      if (buffer.includes(`"outputLines":${10_000 + n}`)) break;
      const { value, done } = await reader.read();
      if (done) throw new Error('the stream ended');
      buffer += value;
    }
    latencies.push(performance.now() - changedAt);
    buffer = '';
  }
  controller.abort();
  return latencies;
}

export async function benchDashboard(quick: boolean): Promise<Row[]> {
  const bigHistory = quick ? 2_000 : 10_000;
  const repeats = quick ? 10 : 30;
  const small = await withDashboard(50, (server) => timePage(server, 'limit=50', repeats));
  const [first, last, filtered] = await withDashboard(bigHistory, async (server) => [
    await timePage(server, 'limit=50', repeats),
    await timePage(server, `limit=50&offset=${bigHistory - 50}`, repeats),
    await timePage(server, 'limit=50&state=failed&dir=/work/repo-3', repeats),
  ]);
  const latencies = await withDashboard(20, (server, baton) => liveLatency(server, baton, quick ? 10 : 30));
  const history = bigHistory.toLocaleString('en-US');
  return [
    { claim: `dashboard: first page of runs (50) with ${history} runs in history`, measured: fmtMs(first!), baseline: `${fmtMs(small)} with 50 runs`, ratio: `${(first! / small).toFixed(2)}x`, target: '<= 2x', ok: first! <= 2 * small },
    { claim: `dashboard: last page of ${history} runs`, measured: fmtMs(last!), baseline: `${fmtMs(small)} with 50 runs`, ratio: `${(last! / small).toFixed(2)}x`, target: '<= 2x', ok: last! <= 2 * small },
    { claim: `dashboard: filtered by state and dir, ${history} runs`, measured: fmtMs(filtered!), baseline: `${fmtMs(small)} with 50 runs`, ratio: `${(filtered! / small).toFixed(2)}x`, target: '<= 2x', ok: filtered! <= 2 * small },
    {
      claim: `dashboard live: store change → event on /api/stream, p95 over ${latencies.length}`,
      measured: `p50 ${fmtMs(median(latencies))}, p95 ${fmtMs(percentile(latencies, 95))}`,
      baseline: 'reloading by hand every 60 s: 30 s',
      ratio: `1/${Math.round(30_000 / percentile(latencies, 95))}`,
      target: 'p95 <= 500 ms (+ the supervisor\'s 500 ms flush <= 1 s)',
      ok: percentile(latencies, 95) <= 500,
    },
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { printTable } = await import('./lib.js');
  printTable(await benchDashboard(process.argv.includes('--quick')));
}
