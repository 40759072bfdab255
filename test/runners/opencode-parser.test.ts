import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { RunEvent } from '../../src/events.js';
import { createOpencodeParser } from '../../src/runners/opencode-parser.js';
import { fixtureLines, only, parseLines, relativeToCapture } from './parser-harness.js';

// Fixtures are raw stdout of `opencode run --format json`; test/fixtures/README.md says how.
const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/opencode/', import.meta.url));

type ToolEvent = Extract<RunEvent, { kind: 'tool' }>;

const parse = (lines: readonly string[]): RunEvent[] => parseLines(createOpencodeParser(), lines);

const parseFixture = (name: string): RunEvent[] => parse(fixtureLines(`${FIXTURES}${name}.log`));

function summary(tool: ToolEvent): Record<string, unknown> {
  return {
    id: tool.callId,
    tool: tool.tool,
    kind: tool.toolKind,
    status: tool.status,
    ...(tool.path !== undefined && { path: relativeToCapture(tool.path) }),
    ...(tool.command !== undefined && { command: tool.command }),
    ...(tool.exitCode !== undefined && { exit: tool.exitCode }),
  };
}

const line = (event: Record<string, unknown>): string => JSON.stringify({ timestamp: 1, sessionID: 'ses_x', ...event });

test('rich session: every tool call with status, paths, commands and exit codes', () => {
  const events = parseFixture('rich');
  assert.deepEqual(only(events, 'session').map((e) => e.sessionId), ['ses_de8f9fd50ffezCyASLBA8g6w0W']);
  assert.deepEqual(only(events, 'tool').map(summary), [
    { id: 'call_0_0', tool: 'todowrite', kind: 'todo', status: 'completed' },
    { id: 'call_1_0', tool: 'read', kind: 'read', status: 'completed', path: 'src/math.js' },
    { id: 'call_2_0', tool: 'read', kind: 'read', status: 'completed', path: 'README.md' },
    { id: 'call_2_1', tool: 'read', kind: 'read', status: 'completed', path: 'package.json' },
    { id: 'call_3_0', tool: 'read', kind: 'read', status: 'error', path: 'missing.txt' },
    { id: 'call_4_0', tool: 'grep', kind: 'search', status: 'completed' },
    { id: 'call_5_0', tool: 'glob', kind: 'search', status: 'completed' },
    { id: 'call_6_0', tool: 'bash', kind: 'command', status: 'completed', command: 'echo hello && ls src', exit: 0 },
    // A failing command is still a completed call; only metadata.exit says it failed.
    {
      id: 'call_7_0',
      tool: 'bash',
      kind: 'command',
      status: 'completed',
      command: `node -e "console.error('boom'); process.exit(3)"`,
      exit: 3,
    },
    { id: 'call_8_0', tool: 'edit', kind: 'edit', status: 'completed', path: 'src/math.js' },
    { id: 'call_9_0', tool: 'write', kind: 'write', status: 'completed', path: 'test/math.test.js' },
    { id: 'call_10_0', tool: 'bash', kind: 'command', status: 'completed', command: 'node test/math.test.js', exit: 0 },
    { id: 'call_11_0', tool: 'todowrite', kind: 'todo', status: 'completed' },
  ]);
  const tools = only(events, 'tool');
  assert.match(tools[4]!.output ?? '', /^File not found: .*missing\.txt$/);
  assert.equal(tools[5]!.title, 'function');
  assert.match(tools[5]!.output ?? '', /^Found 1 matches\n/);
  assert.equal(tools[7]!.output, 'hello\nmath.js\n');
  assert.equal(tools[8]!.output, 'boom\n');
  assert.equal(tools[9]!.output, 'Edit applied successfully.');
  assert.ok(tools.every((t) => typeof t.at === 'number'));
});

test('rich session: steps with reasons, tokens and cost; text; completion at end()', () => {
  const events = parseFixture('rich');
  const steps = only(events, 'step');
  assert.equal(steps.length, 13);
  assert.deepEqual(steps.map((s) => s.reason), [...Array<string>(12).fill('tool-calls'), 'stop']);
  assert.deepEqual(steps[0]!.tokens, { input: 1000, output: 40, reasoning: 0, cacheRead: 0, cacheWrite: 0 });
  assert.deepEqual(steps[12]!.tokens, { input: 3488, output: 52, reasoning: 0, cacheRead: 512, cacheWrite: 0 });
  assert.equal(steps[0]!.cost, 0.00232);
  const cost = steps.reduce((sum, s) => sum + (s.cost ?? 0), 0);
  assert.ok(Math.abs(cost - 0.060568) < 1e-9, String(cost));
  // `--thinking` adds a reasoning line; it is not assistant text.
  assert.deepEqual(only(events, 'text').map((e) => e.text), [
    'I will read the module first.',
    'Fixed add() in src/math.js (it subtracted).\nAdded test/math.test.js, which passes.\n\n## Summary\n- 1 file edited\n- 1 file created',
  ]);
  assert.deepEqual(events[events.length - 1], { kind: 'completion' });
  assert.deepEqual(only(events, 'error'), []);
});

test('HTTP 500 on every request: one error event with the status, no step, no completion', () => {
  const events = parseFixture('http-500');
  assert.deepEqual(
    events.map((e) => e.kind),
    ['session', 'error'],
  );
  const [error] = only(events, 'error');
  assert.deepEqual(
    { ...error, at: undefined },
    {
      kind: 'error',
      message: 'The server had an error while processing your request. Sorry about that!',
      api: true,
      status: 500,
      at: undefined,
    },
  );
});

test('HTTP 429 and 404 carry their status', () => {
  const rate = only(parseFixture('http-429'), 'error');
  assert.deepEqual(rate.map((e) => [e.api, e.status]), [[true, 429]]);
  assert.match(rate[0]!.message, /^Rate limit reached/);
  const missing = only(parseFixture('model-404'), 'error');
  assert.deepEqual(missing.map((e) => [e.api, e.status, e.message]), [
    [true, 404, 'The model `scripted-gpt` does not exist or you do not have access to it.'],
  ]);
});

test('unknown --model: opencode reports only a generic UnknownError', () => {
  const events = parseFixture('unknown-model');
  assert.deepEqual(only(events, 'error').map((e) => [e.message, e.api, e.status]), [
    ['Unexpected server error. Check server logs for details.', false, undefined],
  ]);
  assert.deepEqual(only(events, 'completion'), []);
});

test('killed during `sleep 30`: the running bash call never appears; no completion', () => {
  const events = parseFixture('killed');
  assert.deepEqual(only(events, 'tool').map(summary), [
    { id: 'call_0_0', tool: 'read', kind: 'read', status: 'completed', path: 'src/math.js' },
  ]);
  assert.deepEqual(only(events, 'step').map((s) => s.reason), ['tool-calls']);
  assert.deepEqual(only(events, 'completion'), []);
  assert.deepEqual(only(events, 'error'), []);
});

test('malformed SSE chunk: an API error after the retries, no text, no completion', () => {
  const events = parseFixture('malformed');
  const errors = only(events, 'error');
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.api, true);
  assert.match(errors[0]!.message, /^JSON parsing failed: .*\nError message: JSON Parse error: Unterminated string$/s);
  assert.deepEqual(only(events, 'text'), []);
  assert.deepEqual(only(events, 'step'), []);
  assert.deepEqual(only(events, 'completion'), []);
});

test('completion only when the last step stopped and nothing followed', () => {
  const stop = line({ type: 'step_finish', part: { reason: 'stop' } });
  const start = line({ type: 'step_start', part: {} });
  const error = line({ type: 'error', error: { name: 'APIError', data: { message: 'boom', statusCode: 502 } } });
  const count = (lines: string[]) => only(parse(lines), 'completion').length;
  assert.equal(count([start, stop]), 1);
  assert.equal(count([start, stop, error]), 0);
  assert.equal(count([start, stop, start]), 0);
  assert.equal(count([start, line({ type: 'step_finish', part: { reason: 'length' } })]), 0);
  assert.equal(count([start, line({ type: 'step_finish', part: { reason: 'tool-calls' } })]), 0);
  assert.equal(count([]), 0);
});

test('error shapes: name decides api where it can, status from data.statusCode', () => {
  const errors = only(
    parse([
      line({ type: 'error', error: { name: 'APIError', data: { message: 'Bad Gateway', statusCode: 502, isRetryable: true } } }),
      line({ type: 'error', error: { name: 'ProviderAuthError', data: { providerID: 'x', message: 'bad key' } } }),
      line({ type: 'error', error: { name: 'MessageAbortedError', data: { message: 'Aborted' } } }),
      line({ type: 'error', error: { name: 'UnknownError', data: { message: 'Rate limit exceeded' } } }),
      line({ type: 'error', error: { name: 'MessageOutputLengthError', data: {} } }),
      line({ type: 'error', error: 'plain string' }),
      '\x1b[91m\x1b[1mError: \x1b[0mSession not found',
    ]),
    'error',
  );
  assert.deepEqual(
    errors.map((e) => [e.message, e.api, e.status]),
    [
      ['Bad Gateway', true, 502],
      ['bad key', true, undefined],
      ['Aborted', false, undefined],
      ['Rate limit exceeded', true, undefined],
      ['MessageOutputLengthError', false, undefined],
      ['plain string', false, undefined],
      ['Session not found', false, undefined],
    ],
  );
});

test('tool_use details: statuses as given, apply_patch path, bounded output, synthesised ids', () => {
  const tools = only(
    parse([
      line({ type: 'tool_use', part: { tool: 'bash', callID: 'c1', state: { status: 'running', input: { command: 'make' } } } }),
      line({
        type: 'tool_use',
        part: {
          tool: 'apply_patch',
          callID: 'c2',
          state: { status: 'completed', input: { patchText: '*** Begin Patch\n*** Update File: src/a.ts\n@@\n-a\n+b\n*** End Patch' }, output: 'x'.repeat(100_000) },
        },
      }),
      line({ type: 'tool_use', part: { tool: 'mcp_weird', state: { status: 'bogus' } } }),
      line({ type: 'tool_use', part: { tool: 'bash', callID: 'c4', state: { status: 'error', input: { command: 'false' }, error: 'Command failed', metadata: { exit: 1 } } } }),
    ]),
    'tool',
  );
  assert.deepEqual(
    tools.map((t) => [t.callId, t.tool, t.toolKind, t.status, t.path ?? t.command, t.exitCode, t.output?.length]),
    [
      ['c1', 'bash', 'command', 'running', 'make', undefined, undefined],
      ['c2', 'apply_patch', 'edit', 'completed', 'src/a.ts', undefined, 2_000],
      ['opencode-1', 'mcp_weird', 'other', 'running', undefined, undefined, undefined],
      ['c4', 'bash', 'command', 'error', 'false', 1, 'Command failed'.length],
    ],
  );
});
