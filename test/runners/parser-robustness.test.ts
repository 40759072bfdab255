import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { OutputParser, RunEvent } from '../../src/events.js';
import { applyEvent, emptyDigest } from '../../src/digest.js';
import { RUNNERS } from '../../src/runners/registry.js';
import type { RunnerName, RunnerOptions } from '../../src/runners/types.js';
import { fixtureLines } from './parser-harness.js';

// One suite over every runner's parser: whatever the agent prints, a parser keeps going, stays
// incremental, and never throws on what the agents really print.

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/', import.meta.url));

/**
 * Per runner of the table: the options its parser is made with, and its captured output under
 * test/fixtures/ (null: the runner has no grammar of its own to capture). Typed by the table, so a runner
 * added there without an entry here does not compile, and the test below checks the same at run time.
 */
const CASES: Record<RunnerName, { options: RunnerOptions; fixtures: string | null }> = {
  omo: { options: {}, fixtures: 'omo' },
  opencode: { options: {}, fixtures: 'opencode' },
  claude: { options: {}, fixtures: 'claude' },
  codex: { options: {}, fixtures: 'codex' },
  // Only the user's regexes give cmd output a meaning; these exercise each of them.
  cmd: { options: { command: 'agent {prompt}', completion: '^DONE$', session: 'session: (\\S+)', error: '^Error' }, fixtures: null },
};

const RUNNER_NAMES = Object.keys(RUNNERS) as RunnerName[];

const parserOf = (runner: RunnerName) => (): OutputParser => RUNNERS[runner].createParser(CASES[runner].options);

const KINDS = new Set<RunEvent['kind']>(['server', 'session', 'model', 'agent', 'tool', 'text', 'step', 'completion', 'error', 'retry', 'denied', 'unparsed']);

function fixtureFiles(runner: RunnerName): string[] {
  const dir = CASES[runner].fixtures;
  return dir === null ? [] : readdirSync(`${FIXTURES}${dir}`).filter((f) => f.endsWith('.log') || f.endsWith('.jsonl'));
}

const fixture = (runner: RunnerName, file: string): string[] => fixtureLines(`${FIXTURES}${CASES[runner].fixtures}/${file}`);

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
    switch (event.kind) {
      case 'tool':
        assert.ok(event.callId.length > 0);
        assert.ok((event.output?.length ?? 0) <= 2_000);
        break;
      case 'text':
        assert.ok(event.text.length > 0);
        break;
      case 'error':
        assert.equal(typeof event.api, 'boolean');
        break;
      case 'retry':
        assert.ok(Number.isInteger(event.attempt) && event.attempt >= 1, `retry attempt ${event.attempt}`);
        if (event.maxAttempts !== undefined) assert.ok(Number.isInteger(event.maxAttempts));
        break;
      case 'denied':
        assert.ok(typeof event.tool === 'string' && event.tool.length > 0);
        break;
      case 'unparsed':
        assert.ok(event.cause === 'malformed' || event.cause === 'exception');
        assert.ok(Number.isInteger(event.line) && event.line >= 1);
        assert.ok(event.message.length > 0 && event.message.length <= 300);
        break;
    }
  }
}

/** Exceptions the parser threw (and its guard counted) while reading these events' lines. */
function parseErrors(events: RunEvent[]): string[] {
  const digest = emptyDigest();
  for (const event of events) applyEvent(digest, event);
  const thrown = events.filter((e) => e.kind === 'unparsed' && e.cause === 'exception');
  assert.equal(digest.parseErrors?.count ?? 0, thrown.length);
  return thrown.map((e) => (e.kind === 'unparsed' ? `line ${e.line}: ${e.message}` : ''));
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

test('every runner of the table has a case here', () => {
  for (const runner of RUNNER_NAMES) assert.ok(Object.hasOwn(CASES, runner), `${runner} has no entry in CASES`);
  assert.deepEqual(Object.keys(CASES).sort(), [...RUNNER_NAMES].sort());
});

for (const runner of RUNNER_NAMES) {
  const create = parserOf(runner);

  test(`${runner}: hostile input never throws, is never a parse error, and yields only well-formed events`, () => {
    const events = parseAll(create, HOSTILE_LINES);
    assertWellFormed(events);
    assert.deepEqual(parseErrors(events), []);
    // The same lines in reverse order, interleaved with a real fixture, also get through.
    const real = CASES[runner].fixtures === null ? [] : fixture(runner, fixtureFiles(runner).find((f) => f.startsWith('rich.'))!);
    const mixed: string[] = [];
    for (let i = 0; i < real.length; i++) mixed.push(real[i]!, HOSTILE_LINES[HOSTILE_LINES.length - 1 - (i % HOSTILE_LINES.length)]!);
    const mixedEvents = parseAll(create, mixed);
    assertWellFormed(mixedEvents);
    assert.deepEqual(parseErrors(mixedEvents), []);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });

  test(`${runner}: no parse errors over its captured fixtures, whole, cut in half or with CRLF endings`, () => {
    for (const file of fixtureFiles(runner)) {
      const lines = fixture(runner, file);
      for (const variant of [lines, lines.map((l) => l.slice(0, Math.floor(l.length / 2))), lines.map((l) => `${l}\r`)]) {
        const events = parseAll(create, variant);
        assertWellFormed(events);
        assert.deepEqual(parseErrors(events), [], file);
      }
    }
  });

  test(`${runner}: end() may be called on a fresh parser and twice`, () => {
    const parser = create();
    assert.deepEqual(parser.end(), []);
    assert.deepEqual(parser.end(), []);
  });

  if (CASES[runner].fixtures !== null) {
    test(`${runner}: has captured fixtures to check`, () => {
      assert.ok(fixtureFiles(runner).length >= 7);
    });
  }

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
  const events = parseAll(parserOf('omo'), ['', `  ${'word '.repeat(MB / 5)}`, '']);
  assert.equal(events.length, 1);
  assert.equal(events[0]?.kind, 'text');
  assert.ok(events[0]?.kind === 'text' && events[0].text.length <= 20_000);
});

test('omo: ANSI soup around markers is stripped', () => {
  const events = parseAll(parserOf('omo'), [
    '\x1b[2m\x1b[1mSession: ses_abc\x1b[22m\x1b[0m',
    '\x1b]8;;http://x\x07\x1b[32mAll tasks completed.\x1b[39m\x1b]8;;\x07',
  ]);
  assert.deepEqual(events, [
    { kind: 'session', sessionId: 'ses_abc' },
    { kind: 'completion', message: 'All tasks completed.' },
  ]);
});

test('opencode: a truncated JSON line is counted as unparsed (not a parse error), the next good line still parses', () => {
  const good = '{"type":"text","timestamp":5,"sessionID":"ses_y","part":{"text":"hi"}}';
  const [unparsed, ...events] = parseAll(parserOf('opencode'), [good.slice(0, 30), good]);
  assert.ok(unparsed?.kind === 'unparsed' && unparsed.message.startsWith('not JSON: '));
  assert.deepEqual({ ...unparsed, message: '' }, { kind: 'unparsed', cause: 'malformed', line: 1, message: '' });
  assert.deepEqual(events, [
    { kind: 'session', sessionId: 'ses_y', at: 5 },
    { kind: 'text', text: 'hi', at: 5 },
  ]);
});

test('opencode: a 1 MB tool output is cut to the output bound', () => {
  const big = HOSTILE_LINES.find((l) => l.includes('"callID":"big"'))!;
  const [, tool] = parseAll(parserOf('opencode'), [big]);
  assert.ok(tool?.kind === 'tool' && tool.output?.length === 2_000 && tool.exitCode === 0);
});
