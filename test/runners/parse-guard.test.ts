import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEvent, emptyDigest } from '../../src/digest.js';
import type { OutputParser, RunEvent } from '../../src/events.js';
import { guardParser } from '../../src/runners/parse-guard.js';
import { RUNNERS } from '../../src/runners/registry.js';
import { parseLines } from './parser-harness.js';

/** A parser with a bug on lines containing "boom" and a format that rejects lines starting with "?". */
function buggyParser(): OutputParser {
  const frozen = Object.freeze([]) as unknown as RunEvent[];
  return guardParser((report) => ({
    push(line) {
      if (line.includes('boom')) throw new TypeError(`cannot read ${line}`);
      if (line.startsWith('?')) {
        report.malformed('not ours');
        return frozen;
      }
      return line === '' ? frozen : [{ kind: 'text', text: line }];
    },
    end() {
      throw new RangeError('at the end');
    },
  }));
}

test('an exception in a parser becomes a counted parse error naming the line; parsing goes on', () => {
  const events = parseLines(buggyParser(), ['one', 'boom 1', '', 'boom 2', 'two']);
  const kinds = events.map((e) => (e.kind === 'unparsed' ? `${e.cause}@${e.line}` : e.kind));
  assert.deepEqual(kinds, ['text', 'exception@2', 'exception@4', 'text', 'exception@5']);
  const first = events[1];
  assert.ok(first?.kind === 'unparsed');
  assert.match(first.message, /^TypeError: cannot read boom 1 \(at .*parse-guard\.test\.js/);

  const digest = emptyDigest();
  for (const event of events) applyEvent(digest, event);
  assert.deepEqual(digest.parseErrors, { count: 3, firstLine: 2, firstMessage: first.message });
  assert.equal(digest.unparsedLines, undefined);
  // Diagnostics are not events of the run: they neither count nor show among the recent events.
  assert.equal(digest.eventCount, 2);
  assert.deepEqual(digest.recent.map((r) => r.kind), ['text', 'text']);
});

test('a malformed line is an unparsed line, not a parse error, and a shared frozen answer is never filled', () => {
  const events = parseLines(buggyParser(), ['?x', 'fine', '?y']).slice(0, -1);
  assert.deepEqual(events, [
    { kind: 'unparsed', cause: 'malformed', line: 1, message: 'not ours' },
    { kind: 'text', text: 'fine' },
    { kind: 'unparsed', cause: 'malformed', line: 3, message: 'not ours' },
  ]);
  const digest = emptyDigest();
  for (const event of events) applyEvent(digest, event);
  assert.deepEqual(digest.unparsedLines, { count: 2, firstLine: 1, firstMessage: 'not ours' });
  assert.equal(digest.parseErrors, undefined);
});

test('every JSONL runner counts a JSON line cut short as unparsed and still reads the next one', () => {
  const jsonl = { opencode: '{"type":"text","sessionID":"ses_1","part":{"text":"hi"}}', claude: '{"type":"system","subtype":"init","session_id":"s1","model":"m"}', codex: '{"type":"thread.started","thread_id":"t1"}' };
  for (const [runner, good] of Object.entries(jsonl)) {
    const parser = RUNNERS[runner as keyof typeof jsonl].createParser({});
    const cut = parser.push(good.slice(0, 20));
    assert.equal(cut.length, 1, runner);
    assert.ok(cut[0]?.kind === 'unparsed' && cut[0].cause === 'malformed' && cut[0].line === 1, runner);
    const next = parser.push(good);
    assert.ok(next.length > 0 && next.every((e) => e.kind !== 'unparsed'), runner);
  }
});

test('omo: a --json summary cut short is an unparsed line', () => {
  const events = parseLines(RUNNERS.omo.createParser({}), ['Session: ses_1', '{"sessionId":"ses_1","success":tr']);
  assert.deepEqual(events.map((e) => e.kind), ['session', 'unparsed']);
  assert.ok(events[1]?.kind === 'unparsed' && events[1].cause === 'malformed' && events[1].line === 2);
});
