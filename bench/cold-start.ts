import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BATON_BIN, fmtMs, median, timeCommand, type Row } from './lib.js';

/** CLI cold start: `baton status --json` against `node -e 0`, interleaved so noise hits both alike. */
export async function benchColdStart(rounds = 25): Promise<Row[]> {
  const env = { ...process.env, BATON_HOME: mkdtempSync(join(tmpdir(), 'baton-bench-cold-')) };
  timeCommand(process.execPath, [BATON_BIN, 'status', '--json'], env); // creates the store once
  const baton: number[] = [];
  const node: number[] = [];
  for (let i = 0; i < rounds; i++) {
    node.push(timeCommand(process.execPath, ['-e', '0'], env));
    baton.push(timeCommand(process.execPath, [BATON_BIN, 'status', '--json'], env));
  }
  const ratio = median(baton) / median(node);
  return [
    {
      claim: 'CLI cold start: baton status --json (median of ' + rounds + ')',
      measured: fmtMs(median(baton)),
      baseline: `node -e 0: ${fmtMs(median(node))}`,
      ratio: `${ratio.toFixed(2)}x`,
      target: '<= 3x',
      ok: ratio <= 3,
    },
  ];
}
