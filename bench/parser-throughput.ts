import { statSync } from 'node:fs';
import { createOmoParser } from '../src/runners/omo-parser.js';
import { LogReader } from '../src/supervise/log-reader.js';
import { fmtMs, timeCommand, type Row } from './lib.js';

/** The omo parser fed line by line from the log reader, as the supervisor does, against `wc -l`. */
export function benchParserThroughput(path: string): Row[] {
  const size = statSync(path).size;
  const wc = Math.min(timeCommand('wc', ['-l', path]), timeCommand('wc', ['-l', path]));
  const started = performance.now();
  const reader = new LogReader(path);
  const parser = createOmoParser();
  let events = 0;
  const onLine = (line: string) => {
    events += parser.push(line).length;
  };
  reader.readNew(onLine);
  reader.flush(onLine);
  events += parser.end().length;
  reader.close();
  const ms = performance.now() - started;
  const mbps = (bytes: number, t: number) => `${(bytes / (1 << 20) / (t / 1000)).toFixed(0)} MB/s`;
  const ratio = wc / ms;
  return [
    {
      claim: `omo parser throughput on ${(size / (1 << 30)).toFixed(2)} GiB (${reader.lines.toLocaleString('en-US')} lines, ${events.toLocaleString('en-US')} events)`,
      measured: `${fmtMs(ms)} (${mbps(size, ms)})`,
      baseline: `wc -l: ${fmtMs(wc)} (${mbps(size, wc)})`,
      ratio: `${ratio.toFixed(3)}`,
      target: '>= 0.2',
      ok: ratio >= 0.2,
    },
  ];
}
