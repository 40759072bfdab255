import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { OutputParser, RunEvent } from '../../src/events.js';
import { createOmoParser } from '../../src/runners/omo-parser.js';
import { createOpencodeParser } from '../../src/runners/opencode-parser.js';
import { fixtureLines } from './parser-harness.js';

// One suite over every parser: whatever the agent prints, a parser keeps going and stays incremental.

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/', import.meta.url));

const PARSERS: Record<'omo' | 'opencode', () => OutputParser> = {
  omo: createOmoParser,
  opencode: createOpencodeParser,
};

const KINDS = new Set<RunEvent['kind']>(['server', 'session', 'model', 'agent', 'tool', 'text', 'step', 'completion', 'error']);

function fixtureFiles(runner: string): string[] {
  return readdirSync(`${FIXTURES}${runner}`).filter((f) => f.endsWith('.log'));
}

const fixture = (runner: string, file: string): string[] => fixtureLines(`${FIXTURES}${runner}/${file}`);

function parseAll(create: () => OutputParser, lines: readonly string[]): RunEvent[] {
  const parser = create();
  const events: RunEvent[] = [];
  for (const line of lines) {
    const got = parser.push(line);
    assert.ok(Array.isArray(got));
    events.push(...got);
  }
  events.push(...parser.end());
  return events;
}

function assertWellFormed(events: RunEvent[]): void {
  for (const event of events) {
    assert.ok(KINDS.has(event.kind), `unknown kind ${event.kind}`);
    if (event.kind === 'tool') {
      assert.ok(event.callId.length > 0);
      assert.ok((event.output?.length ?? 0) <= 2_000);
    }
    if (event.kind === 'text') assert.ok(event.text.length > 0);
    if (event.kind === 'error') assert.equal(typeof event.api, 'boolean');
  }
}

/** Deterministic bytes, decoded as a log reader would (invalid UTF-8 becomes U+FFFD). */
function noise(seed: number, length: number): string {
  const bytes = Buffer.alloc(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1_103_515_245 + 12_345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return bytes.toString('utf8');
}

const MB = 1 << 20;

const HOSTILE_LINES: string[] = [
  '',
  ' ',
  '\r',
  '\x00\x01\x02\x1b',
  '\x1b[',
  '\x1b[38;2;1;2;3',
  '\x1b]8;;http://x\x07link\x1b]8;;\x07',
  '[12:34:56] ',
  '[12:34:5',
  '[ab:cd:ef] Session: ',
  'Session: ',
  'Model: ',
  'Server listening at ',
  '[session.error] ',
  'Session ended with error: ',
  'Error: ',
  '{',
  '{"',
  '{"sessionId":',
  '{"sessionId":"ses_x","success":tr',
  '{"sessionId":5}',
  '{"type":"tool_use","part":{"state":',
  '{"type":"tool_use","part":null}',
  '{"type":"tool_use","part":{"tool":{},"callID":7,"state":{"status":9,"input":[],"metadata":"x"}}}',
  '{"type":"step_finish","part":{"reason":null,"tokens":"many","cost":"free"}}',
  '{"type":"error","error":null}',
  '{"type":"error"}',
  '{"type":"text","part":{"text":42}}',
  '[1,2,3]',
  'null',
  '"just a string"',
  '{"__proto__":{"polluted":true},"type":"step_start"}',
  '  ',
  '   ',
  '  └─',
  '  └─ ',
  '  └─ output',
  '  `- ',
  '  → ',
  '  $   ',
  '  ⚙  ',
  '  ┃  Thinking:',
  '  └─ a · b · cs  ',
  '\ud800\udfff\ud800',
  '\x1b[2m\x1b[22m\x1b[2m\x1b[22m'.repeat(1_000),
  '\x1b[31m'.repeat(10_000) + '  → Read /x  ' + '\x1b[0m'.repeat(10_000),
  '  ' + 'text '.repeat(MB / 5),
  '  $ ' + 'x'.repeat(MB) + '  ',
  '{"type":"tool_use","sessionID":"ses_big","part":{"tool":"bash","callID":"big","state":{"status":"completed","input":{"command":"yes"},"output":"' +
    'y\\n'.repeat(MB / 3) +
    '","metadata":{"exit":0}}}}',
  '{"type":"text","part":{"text":"' + 'a'.repeat(MB) + '"}}',
  'x'.repeat(MB),
  noise(1, MB),
  ...Array.from({ length: 50 }, (_, i) => noise(i + 2, 200)),
];

for (const [runner, create] of Object.entries(PARSERS)) {
  test(`${runner}: hostile input never throws and yields only well-formed events`, () => {
    const events = parseAll(create, HOSTILE_LINES);
    assertWellFormed(events);
    // The same lines in reverse order, interleaved with a real fixture, also get through.
    const real = fixture(runner, 'rich.log');
    const mixed: string[] = [];
    for (let i = 0; i < real.length; i++) mixed.push(real[i]!, HOSTILE_LINES[HOSTILE_LINES.length - 1 - (i % HOSTILE_LINES.length)]!);
    assertWellFormed(parseAll(create, mixed));
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });

  test(`${runner}: end() may be called on a fresh parser and twice`, () => {
    const parser = create();
    assert.deepEqual(parser.end(), []);
    assert.deepEqual(parser.end(), []);
  });

  test(`${runner}: has captured fixtures to check`, () => {
    assert.ok(fixtureFiles(runner).length >= 7);
  });

  test(`${runner}: every fixture line cut in half (a truncated write) is survived`, () => {
    for (const file of fixtureFiles(runner)) {
      const lines = fixture(runner, file);
      assertWellFormed(parseAll(create, lines.map((l) => l.slice(0, Math.floor(l.length / 2)))));
    }
  });

  test(`${runner}: each fixture split at every line gives the same events as one pass`, () => {
    for (const file of fixtureFiles(runner)) {
      const lines = fixture(runner, file);
      const whole = parseAll(create, lines);
      for (let k = 0; k <= lines.length; k++) {
        const parser = create();
        const events: RunEvent[] = [];
        for (const line of lines.slice(0, k)) events.push(...parser.push(line));
        const head = events.length;
        // Nothing reported before the split may be taken back or changed by what follows.
        assert.deepEqual(events, whole.slice(0, head), `${file} @${k}`);
        for (const line of lines.slice(k)) events.push(...parser.push(line));
        events.push(...parser.end());
        assert.deepEqual(events, whole, `${file} @${k}`);
      }
    }
  });

  test(`${runner}: CRLF line endings parse like LF`, () => {
    for (const file of fixtureFiles(runner)) {
      const lines = fixture(runner, file);
      assert.deepEqual(parseAll(create, lines.map((l) => `${l}\r`)), parseAll(create, lines), file);
    }
  });
}

test('omo: a 1 MB text line becomes one bounded text event', () => {
  const events = parseAll(createOmoParser, ['', `  ${'word '.repeat(MB / 5)}`, '']);
  assert.equal(events.length, 1);
  assert.equal(events[0]?.kind, 'text');
  assert.ok(events[0]?.kind === 'text' && events[0].text.length <= 20_000);
});

test('omo: ANSI soup around markers is stripped', () => {
  const events = parseAll(createOmoParser, [
    '\x1b[2m\x1b[1mSession: ses_abc\x1b[22m\x1b[0m',
    '\x1b]8;;http://x\x07\x1b[32mAll tasks completed.\x1b[39m\x1b]8;;\x07',
  ]);
  assert.deepEqual(events, [
    { kind: 'session', sessionId: 'ses_abc' },
    { kind: 'completion', message: 'All tasks completed.' },
  ]);
});

test('opencode: a truncated JSON line yields nothing, the next good line still parses', () => {
  const good = '{"type":"text","timestamp":5,"sessionID":"ses_y","part":{"text":"hi"}}';
  const events = parseAll(createOpencodeParser, [good.slice(0, 30), good]);
  assert.deepEqual(events, [
    { kind: 'session', sessionId: 'ses_y', at: 5 },
    { kind: 'text', text: 'hi', at: 5 },
  ]);
});

test('opencode: a 1 MB tool output is cut to the output bound', () => {
  const big = HOSTILE_LINES.find((l) => l.includes('"callID":"big"'))!;
  const [, tool] = parseAll(createOpencodeParser, [big]);
  assert.ok(tool?.kind === 'tool' && tool.output?.length === 2_000 && tool.exitCode === 0);
});
