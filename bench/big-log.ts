import { closeSync, existsSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const RICH_OMO_FIXTURE = fileURLToPath(new URL('../../test/fixtures/omo/rich.log', import.meta.url));

/**
 * Writes an oh-my-opencode log of about `bytes` by repeating a fixture captured from a real run, so
 * the benchmarks parse the real grammar. Reuses an existing file of the right size.
 */
export function makeOmoLog(path: string, bytes: number): void {
  if (existsSync(path) && statSync(path).size >= bytes) return;
  const unit = readFileSync(RICH_OMO_FIXTURE);
  const block = Buffer.concat(Array.from({ length: Math.max(1, Math.floor((16 << 20) / unit.length)) }, () => unit));
  const fd = openSync(path, 'w');
  try {
    let written = 0;
    while (written < bytes) {
      const slice = block.subarray(0, Math.min(block.length, bytes - written));
      writeSync(fd, slice);
      written += slice.length;
    }
  } finally {
    closeSync(fd);
  }
}
