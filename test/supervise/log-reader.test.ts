import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogReader } from '../../src/supervise/log-reader.js';
import { lastLines, readFrom, stripAnsi } from '../../src/tail.js';

const tempFile = () => join(mkdtempSync(join(tmpdir(), 'baton-log-')), 'out.log');

test('hands over only complete lines and keeps partial ones for later', () => {
  const path = tempFile();
  writeFileSync(path, 'one\ntw');
  const reader = new LogReader(path);
  const lines: string[] = [];
  reader.readNew((l) => lines.push(l));
  assert.deepEqual(lines, ['one']);
  appendFileSync(path, 'o\r\nthree');
  reader.readNew((l) => lines.push(l));
  assert.deepEqual(lines, ['one', 'two']);
  reader.flush((l) => lines.push(l));
  assert.deepEqual(lines, ['one', 'two', 'three']);
  assert.equal(reader.lines, 3);
  assert.equal(reader.offset, Buffer.byteLength('one\ntwo\r\nthree'));
});

test('a multi-byte character split across reads decodes intact', () => {
  const path = tempFile();
  const bytes = Buffer.from('héllo 日本\n');
  writeFileSync(path, bytes.subarray(0, 8));
  const reader = new LogReader(path);
  const lines: string[] = [];
  reader.readNew((l) => lines.push(l));
  appendFileSync(path, bytes.subarray(8));
  reader.readNew((l) => lines.push(l));
  assert.deepEqual(lines, ['héllo 日本']);
});

test('a partial line is not counted as growth twice, and a huge line is cut, not buffered', () => {
  const path = tempFile();
  writeFileSync(path, 'partial');
  const reader = new LogReader(path);
  const lines: string[] = [];
  assert.equal(reader.readNew((l) => lines.push(l)), 7);
  assert.equal(reader.readNew((l) => lines.push(l)), 0, 'nothing new: no growth, though the partial line is read again');
  appendFileSync(path, `${'x'.repeat(3 << 20)}\nafter\n`);
  reader.readNew((l) => lines.push(l));
  assert.equal(lines.length, 2);
  assert.equal(lines[0]!.length, 1 << 20);
  assert.ok(lines[0]!.startsWith('partialxxx'));
  assert.equal(lines[1], 'after');
  assert.equal(reader.lines, 2);
});

test('resumes from a stored offset without re-reading', () => {
  const path = tempFile();
  writeFileSync(path, 'a\nb\nc\n');
  const reader = new LogReader(path, 4);
  const lines: string[] = [];
  reader.readNew((l) => lines.push(l));
  assert.deepEqual(lines, ['c']);
});

test('lastLines reads the tail of a file larger than its chunk', () => {
  const path = tempFile();
  const all = Array.from({ length: 50_000 }, (_, i) => `line ${i}`);
  writeFileSync(path, `${all.join('\n')}\n`);
  assert.deepEqual(lastLines(path, 3).lines, ['line 49997', 'line 49998', 'line 49999']);
  assert.deepEqual(lastLines(path, 0).lines, []);
  assert.equal(lastLines(join(tmpdir(), 'no-such-baton-log'), 5).lines.length, 0);
});

test('readFrom never splits a UTF-8 character', () => {
  const path = tempFile();
  writeFileSync(path, 'ab日');
  const first = readFrom(path, 0, 3);
  assert.equal(first.text, 'ab');
  const second = readFrom(path, first.next, 10);
  assert.equal(second.text, '日');
});

test('stripAnsi removes colour codes and leaves text', () => {
  assert.equal(stripAnsi('\x1b[2mSession:\x1b[22m \x1b[38;2;0;206;209mses_1\x1b[39m'), 'Session: ses_1');
});

test('lastLines: one enormous line costs at most a few MB and comes back clipped, marked as cut', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'baton-tail-')), 'huge.log');
  writeFileSync(path, `first\n${'€'.repeat(5_000_000)}\nlast, still being written`);
  const tail = lastLines(path, 3);
  assert.equal(tail.partial, true, 'no newline at the end yet');
  assert.equal(tail.lines.length, 2, 'the line before the cap is not reached');
  assert.ok(tail.lines[0]!.startsWith('…€€'), 'cut at a whole character, marked');
  assert.ok(tail.lines[0]!.length < 20_000, `${tail.lines[0]!.length} chars`);
  assert.equal(tail.lines[1], 'last, still being written');
  assert.equal(lastLines(join(tmpdir(), 'no-such-baton-log'), 5).missing, true);
});
