import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseScript, prepareAgentSandbox, startMockModel } from '../src/mock-model/index.js';
import { findExecutable } from '../src/runners/locate.js';
import { BATON_BIN, fmtMs, percentile, runBatonJson, type Row } from './lib.js';

/**
 * Agent exit → `baton wait` returns. The real opencode runs through a wrapper (pinned with
 * BATON_OPENCODE_BIN) that records the wall-clock nanosecond at which the agent exited.
 */
export async function benchCompletionLatency(runs = 20): Promise<Row[]> {
  const root = mkdtempSync(join(tmpdir(), 'baton-bench-latency-'));
  const model = await startMockModel({ script: parseScript({ steps: [{ text: 'done' }], onExhausted: { text: 'done' } }), apiKey: 'k' });
  const sandbox = await prepareAgentSandbox({ baseUrl: model.url, apiKey: 'k', root: join(root, 'agent'), shared: join(tmpdir(), 'baton-test-shared'), ohMyOpencode: false });
  const real = findExecutable('opencode', process.env);
  if (!real) throw new Error('opencode is not installed');
  const marks = join(root, 'marks');
  const wrapper = join(root, 'opencode-wrapper.sh');
  writeFileSync(wrapper, `#!/bin/sh\n"${real}" "$@"\ncode=$?\ndate +%s%N > "${marks}.$$"\nexit $code\n`);
  chmodSync(wrapper, 0o755);
  const env = { ...process.env, ...sandbox.env, BATON_HOME: join(root, 'home'), BATON_OPENCODE_BIN: wrapper };
  const latencies: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const launched = await runBatonJson(['run', '--runner', 'opencode', '--model', sandbox.model, '--dir', root, `latency probe ${i}`], env);
      const returnedAt = await new Promise<number>((resolve) => {
        const waiter = spawn(process.execPath, [BATON_BIN, 'wait', launched.id], { env, stdio: 'ignore' });
        waiter.on('exit', () => resolve(performance.timeOrigin + performance.now()));
      });
      // The launch returns before the agent starts (pid null there); the record has its pid by now.
      const { pid } = await runBatonJson(['status', launched.id], env);
      const exitedAtNs = BigInt(readFileSync(`${marks}.${pid}`, 'utf8').trim());
      latencies.push(returnedAt - Number(exitedAtNs / 1_000_000n) - Number(exitedAtNs % 1_000_000n) / 1e6);
    }
  } finally {
    await model.close();
  }
  const p50 = percentile(latencies, 50);
  const p95 = percentile(latencies, 95);
  return [
    {
      claim: `completion latency, agent exit → baton wait returns (p50, ${runs} real opencode runs)`,
      measured: fmtMs(p50),
      baseline: 'polling by hand every 120 s: 60 s on average',
      ratio: `${(p50 / 60_000).toFixed(4)}x`,
      target: '-',
      ok: null,
    },
    {
      claim: `completion latency p95`,
      measured: fmtMs(p95),
      baseline: 'polling by hand every 120 s: 114 s at p95',
      ratio: `${(p95 / 114_000).toFixed(4)}x`,
      target: 'p95 <= 250 ms',
      ok: p95 <= 250,
    },
  ];
}
