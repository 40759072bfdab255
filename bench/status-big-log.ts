import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmtMs, median, runBatonJson, timeBaton, timeCommand, type Row } from './lib.js';

/**
 * `baton status` on a run whose log is 1 MB and one whose log is 1 GB. The runs are real Baton runs
 * whose "agent" (pinned with BATON_OH_MY_OPENCODE_BIN) prints a real oh-my-opencode log and exits.
 */
export async function benchStatusOnBigLogs(smallLog: string, bigLog: string, rounds = 15): Promise<Row[]> {
  const root = mkdtempSync(join(tmpdir(), 'baton-bench-status-'));
  const agent = join(root, 'print-log.sh');
  writeFileSync(agent, '#!/bin/sh\nexec cat "$BATON_BENCH_LOG"\n');
  chmodSync(agent, 0o755);
  const env = { ...process.env, BATON_HOME: join(root, 'home'), BATON_OH_MY_OPENCODE_BIN: agent };
  const launch = async (log: string) => {
    const run = await runBatonJson(['run', '--dir', root, 'print the log'], { ...env, BATON_BENCH_LOG: log });
    await runBatonJson(['wait', run.id], env);
    return run.id as string;
  };
  const smallId = await launch(smallLog);
  const parseStarted = performance.now();
  const bigId = await launch(bigLog);
  const followMs = performance.now() - parseStarted;
  const small: number[] = [];
  const big: number[] = [];
  let rss = 0;
  for (let i = 0; i < rounds; i++) {
    small.push(timeBaton(['status', smallId, '--json'], env).ms);
    const measured = timeBaton(['status', bigId, '--json'], env);
    big.push(measured.ms);
    rss = Math.max(rss, measured.rssMb);
  }
  const tails = Array.from({ length: 5 }, () => timeCommand('tail', ['-n', '80', bigLog]));
  const ratio = median(big) / median(small);
  return [
    {
      claim: `baton status on a 1 GB log vs a 1 MB log (median of ${rounds})`,
      measured: fmtMs(median(big)),
      baseline: `1 MB log: ${fmtMs(median(small))}`,
      ratio: `${ratio.toFixed(2)}x`,
      target: '<= 1.5x',
      ok: ratio <= 1.5,
    },
    { claim: 'peak RSS of baton status on the 1 GB log', measured: `${rss.toFixed(0)} MB`, baseline: '-', ratio: '-', target: '<= 150 MB', ok: rss <= 150 },
    { claim: 'tail -n 80 on the same 1 GB log (for comparison)', measured: fmtMs(median(tails)), baseline: '-', ratio: '-', target: '-', ok: null },
    { claim: 'supervisor following the whole 1 GB log to a verdict', measured: fmtMs(followMs), baseline: '-', ratio: '-', target: '-', ok: null },
  ];
}
