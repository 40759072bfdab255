import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyLine, MARKER_LINE_LIMIT } from '../../src/runners/omo-lines.js';

// The classifier alone: what a line is, without the lines before it (the state machine's tests are omo-parser.test.ts).

const kindOf = (line: string) => {
  const c = classifyLine(line);
  return c.group === 'marker' ? c.marker : c.group === 'indented' ? c.shape : c.group === 'other' && c.malformed ? { malformed: true } : { group: c.group };
};

test('column-0 markers carry what they say', () => {
  assert.deepEqual(kindOf('Session: ses_1 '), { type: 'session', id: 'ses_1' });
  assert.deepEqual(kindOf('Session ended with error: boom'), { type: 'error', message: 'boom', final: true });
  assert.deepEqual(kindOf('[session.error] 429'), { type: 'error', message: '429', final: false });
  assert.deepEqual(kindOf('Port 4096 became occupied, attaching to existing server'), { type: 'server', url: 'http://127.0.0.1:4096' });
  assert.deepEqual(kindOf('Port 4096 is free'), { group: 'other' });
  assert.deepEqual(kindOf('Model: openai/gpt-5'), { type: 'model', name: 'openai/gpt-5' });
  assert.deepEqual(kindOf('Starting server on port 4096'), { type: 'quiet' });
  assert.deepEqual(kindOf('{"sessionId":"ses_1","success":true}'), { type: 'summary', summary: { sessionId: 'ses_1', success: true } });
  assert.deepEqual(kindOf('{"sessionId":"ses_1","succ'), { malformed: true });
  assert.deepEqual(kindOf('{"sessionId":5}'), { group: 'other' });
  assert.deepEqual(kindOf(`Error: ${'x'.repeat(MARKER_LINE_LIMIT)}`), { group: 'other' });
  assert.deepEqual(kindOf('bun is not installed, falling back'), { group: 'other' });
});

test('timestamps, carriage returns and colours are removed before deciding', () => {
  const line = classifyLine('[12:34:56] \x1b[1mSession: ses_2\x1b[22m\r');
  assert.equal(line.text, 'Session: ses_2');
  assert.equal(line.stamped, true);
  assert.deepEqual(line.group === 'marker' && line.marker, { type: 'session', id: 'ses_2' });
  assert.equal(classifyLine('[1a:34:56] Session: x').stamped, false);
  assert.equal(classifyLine('\r').group, 'blank');
});

test('indented lines: markers, headers, thinking, progress and text', () => {
  assert.deepEqual(kindOf('  └─ output  '), { type: 'output-marker' });
  assert.deepEqual(kindOf('  `- output  '), { type: 'output-marker' });
  assert.deepEqual(kindOf('  └─ Sisyphus · gpt-5 · 1.2s  '), { type: 'footer' });
  assert.deepEqual(kindOf('  └─ Hephaestus - Deep Agent  '), { type: 'agent-header', agent: 'Hephaestus - Deep Agent' });
  // The CI form is never an agent header.
  assert.deepEqual(kindOf('  `- Hephaestus  '), { type: 'text' });
  assert.deepEqual(kindOf('  ┃  Thinking: hmm  '), { type: 'thinking' });
  assert.deepEqual(kindOf('  $ npm test description=Run the tests  '), { type: 'tool-header', header: { tool: 'bash', title: 'npm test', command: 'npm test' } });
  assert.deepEqual(kindOf('  → Read src/a.ts offset=1  '), { type: 'tool-header', header: { tool: 'read', title: 'Read src/a.ts', path: 'src/a.ts' } });
  // With colours, the bold span is the exact title, whatever follows it.
  const coloured = classifyLine('  \x1b[2m$\x1b[22m \x1b[1mecho a description=b\x1b[22m \x1b[2mdescription=b\x1b[22m  ');
  assert.deepEqual(coloured.group === 'indented' && coloured.shape, { type: 'tool-header', header: { tool: 'bash', title: 'echo a description=b', command: 'echo a description=b' } });
  assert.equal(classifyLine('  done\x1b[22m').dimEnd, true);
  // Unpadded, it cannot be a header.
  assert.deepEqual(kindOf('  $ npm test'), { type: 'text' });
  assert.deepEqual(kindOf('  Waiting: 3 tasks  '), { type: 'progress' });
  assert.deepEqual(kindOf('  Plain words.  '), { type: 'text' });
});
