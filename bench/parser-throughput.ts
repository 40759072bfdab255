import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { OutputParser } from '../src/events.js';
import { createOmoParser } from '../src/runners/omo-parser.js';
import { RUNNERS } from '../src/runners/registry.js';
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

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));

/** The JSONL runners, each with its richest captured output. */
const JSONL_FIXTURES = { opencode: 'opencode/rich.log', claude: 'claude/rich.jsonl', codex: 'codex/rich.jsonl' } as const;

/** Best of `tries` timings of `work`, in ms: a busy machine only ever slows a try down. */
function bestOf(tries: number, work: () => void): number {
  let best = Infinity;
  for (let i = 0; i < tries; i++) {
    const started = performance.now();
    work();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

/**
 * Each JSONL runner's parser on its captured rich fixture repeated to about `bytes`, in memory, against
 * JSON.parse alone over the same lines: what the parser adds to the parse it cannot avoid.
 */
export function benchJsonlParsers(bytes: number, tries = 3): Row[] {
  return Object.entries(JSONL_FIXTURES).map(([runner, file]) => {
    const unit = readFileSync(`${FIXTURES}${file}`, 'utf8').split('\n').filter((line) => line !== '');
    const unitBytes = unit.reduce((sum, line) => sum + line.length + 1, 0);
    const lines: string[] = [];
    for (let size = 0; size < bytes; size += unitBytes) lines.push(...unit);
    const parse = bestOf(tries, () => {
      for (const line of lines) if (line.startsWith('{')) JSON.parse(line);
    });
    let events = 0;
    const parsed = bestOf(tries, () => {
      const parser: OutputParser = RUNNERS[runner as keyof typeof JSONL_FIXTURES].createParser({});
      events = 0;
      for (const line of lines) events += parser.push(line).length;
      events += parser.end().length;
    });
    const ratio = parse / parsed;
    return {
      claim: `${runner} parser throughput (${lines.length.toLocaleString('en-US')} lines of ${file}, ${events.toLocaleString('en-US')} events)`,
      measured: fmtMs(parsed),
      baseline: `JSON.parse alone: ${fmtMs(parse)}`,
      ratio: ratio.toFixed(3),
      target: '>= 0.25',
      ok: ratio >= 0.25,
    };
  });
}
