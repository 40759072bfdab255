import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { RunEvent } from '../../src/events.js';
import { createOmoParser } from '../../src/runners/omo-parser.js';
import { classifyErrorText } from '../../src/runners/provider-errors.js';
import { fixtureLines, only, parseLines, relativeToCapture } from './parser-harness.js';

// Fixtures are raw `oh-my-opencode run … > file 2>&1` captures; test/fixtures/README.md says how.
const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/omo/', import.meta.url));

type ToolEvent = Extract<RunEvent, { kind: 'tool' }>;

const fixture = (name: string): string[] => fixtureLines(`${FIXTURES}${name}.log`);

const parse = (lines: readonly string[]): RunEvent[] => parseLines(createOmoParser(), lines);

const parseFixture = (name: string): RunEvent[] => parse(fixture(name));

/** Paths in fixtures live under the capture's own work dir; tests compare them relative to it. */

/** The last report of every call, in order of first appearance. */
function finalTools(events: RunEvent[]): ToolEvent[] {
  const last = new Map<string, ToolEvent>();
  for (const e of only(events, 'tool')) last.set(e.callId, e);
  return [...last.values()];
}

function summary(tool: ToolEvent): Record<string, unknown> {
  return {
    tool: tool.tool,
    kind: tool.toolKind,
    status: tool.status,
    ...(tool.path !== undefined && { path: relativeToCapture(tool.path) }),
    ...(tool.command !== undefined && { command: tool.command }),
  };
}

const RICH_TOOLS = [
  { tool: 'todowrite', kind: 'todo', status: 'completed' },
  { tool: 'read', kind: 'read', status: 'completed', path: 'src/math.js' },
  // The model asked for README.md and package.json in parallel; oh-my-opencode shows only the first.
  { tool: 'read', kind: 'read', status: 'completed', path: 'README.md' },
  // Failed (file not found), but oh-my-opencode prints nothing for a tool error: only its header.
  { tool: 'read', kind: 'read', status: 'completed', path: 'missing.txt' },
  // Hephaestus has no grep/glob; opencode answers with its `invalid` tool.
  { tool: 'invalid', kind: 'other', status: 'completed' },
  { tool: 'invalid', kind: 'other', status: 'completed' },
  { tool: 'bash', kind: 'command', status: 'completed', command: 'echo hello && ls src' },
  // Exits 3; the log never shows exit codes.
  { tool: 'bash', kind: 'command', status: 'completed', command: `node -e "console.error('boom'); process.exit(3)"` },
  { tool: 'edit', kind: 'edit', status: 'completed', path: 'src/math.js' },
  { tool: 'write', kind: 'write', status: 'completed', path: 'test/math.test.js' },
  { tool: 'bash', kind: 'command', status: 'completed', command: 'node test/math.test.js' },
  { tool: 'todowrite', kind: 'todo', status: 'completed' },
];

const RICH_FINAL_TEXT =
  'Fixed add() in src/math.js (it subtracted).\nAdded test/math.test.js, which passes.\n\n## Summary\n- 1 file edited\n- 1 file created';

function assertRichRun(events: RunEvent[]): void {
  assert.match(only(events, 'server')[0]?.url ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(only(events, 'session').length, 1);
  assert.match(only(events, 'session')[0]!.sessionId, /^ses_[A-Za-z0-9]+$/);
  assert.deepEqual(only(events, 'model').map((e) => e.model), ['mock/scripted-gpt']);
  assert.deepEqual(only(events, 'agent').map((e) => e.agent), ['Hephaestus - Deep Agent']);

  const tools = finalTools(events);
  assert.deepEqual(tools.map(summary), RICH_TOOLS);
  assert.deepEqual(tools.map((t) => t.callId), RICH_TOOLS.map((_, i) => `omo-${i + 1}`));
  assert.ok(tools.every((t) => t.exitCode === undefined));
  // Every call is first reported running (its header), then completed.
  for (const call of tools) {
    const reports = only(events, 'tool').filter((e) => e.callId === call.callId);
    assert.deepEqual(reports.map((r) => r.status), ['running', 'completed'], call.callId);
  }
  assert.equal(tools[6]!.output, 'hello\nmath.js');
  assert.equal(tools[7]!.output, 'boom');
  assert.equal(tools[8]!.output, 'Edit applied successfully.');
  assert.equal(tools[9]!.output, 'Wrote file successfully.');
  assert.equal(tools[3]!.output, undefined);
  assert.match(tools[1]!.output ?? '', /^<path>.*src\/math\.js<\/path>\n<type>file<\/type>\n<content>\n1: export function add/);
  assert.match(tools[4]!.title ?? '', /tool=grep error=Model tried to call unavailable tool 'grep'/);
  assert.match(tools[11]!.output ?? '', /"status": "completed"/);
  assert.match(tools[11]!.output ?? '', /\]$/);

  // The reasoning block is not text; the text right after the todo output is.
  assert.deepEqual(only(events, 'text').map((e) => e.text), ['I will read the module first.', RICH_FINAL_TEXT]);
  assert.deepEqual(only(events, 'completion'), [{ kind: 'completion', message: 'All tasks completed.' }]);
  assert.deepEqual(only(events, 'error'), []);
  assert.equal(events[events.length - 1]?.kind, 'completion');
}

test('rich session: session, model, agent, every tool call, final text, completion', () => {
  assertRichRun(parseFixture('rich'));
});

test('rich session with --no-timestamp parses the same', () => {
  assertRichRun(parseFixture('no-timestamp'));
});

test('rich session with CI=true (`- tree marks, colours on) parses the same', () => {
  const lines = fixture('ci');
  assert.ok(lines.some((l) => l.includes('`- output')));
  assert.ok(lines.some((l) => l.includes('\x1b[2m')));
  assertRichRun(parse(lines));
});

test('HTTP 500 on every request: one API error after the retries, no completion', () => {
  const events = parseFixture('http-500');
  assert.equal(only(events, 'session').length, 1);
  assert.deepEqual(only(events, 'error'), [
    { kind: 'error', message: 'The server had an error while processing your request. Sorry about that!', api: true },
  ]);
  assert.deepEqual(only(events, 'completion'), []);
  assert.deepEqual(only(events, 'tool'), []);
});

test('HTTP 429: rate-limit error is an API error; the log shows no status code', () => {
  const events = parseFixture('http-429');
  const errors = only(events, 'error');
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.api, true);
  assert.equal(errors[0]!.status, undefined);
  assert.match(errors[0]!.message, /^Rate limit reached for scripted-gpt/);
  assert.deepEqual(only(events, 'completion'), []);
});

test('HTTP 404 model_not_found from the provider is an API error', () => {
  const errors = only(parseFixture('model-404'), 'error');
  assert.deepEqual(errors.map((e) => [e.message, e.api]), [
    ['The model `scripted-gpt` does not exist or you do not have access to it.', true],
  ]);
});

test('unknown --model: opencode\'s model-not-found errors, stack frames dropped', () => {
  const events = parseFixture('unknown-model');
  assert.deepEqual(only(events, 'model').map((e) => e.model), ['mock/nope']);
  assert.deepEqual(only(events, 'agent'), []);
  assert.deepEqual(
    only(events, 'error').map((e) => [e.message, e.api]),
    [
      ['Model not found: mock/nope.', true],
      ['ProviderModelNotFoundError: Model not found: mock/nope.', true],
    ],
  );
  assert.deepEqual(only(events, 'text'), []);
});

test('killed during `sleep 30`: the bash call is left running, nothing else claims an end', () => {
  const events = parseFixture('killed');
  const tools = finalTools(events);
  assert.deepEqual(tools.map(summary), [
    { tool: 'read', kind: 'read', status: 'completed', path: 'src/math.js' },
    { tool: 'bash', kind: 'command', status: 'running', command: 'sleep 30' },
  ]);
  assert.deepEqual(only(events, 'completion'), []);
  assert.deepEqual(only(events, 'error'), []);
});

test('malformed SSE chunk: retried text shows up, then an API error with both message lines', () => {
  const events = parseFixture('malformed');
  assert.deepEqual(only(events, 'text').map((e) => e.text), ['Let me Let me Let me Let me Let me Let me']);
  const errors = only(events, 'error');
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.api, true);
  assert.match(errors[0]!.message, /^JSON parsing failed: Text: \{"id":"broken"/);
  assert.match(errors[0]!.message, /\nError message: JSON Parse error: Unterminated string$/);
  assert.deepEqual(only(events, 'completion'), []);
});

test('--json with stderr in the same file: human stream plus the summary, reported once', () => {
  const events = parseFixture('json');
  assert.equal(only(events, 'session').length, 1);
  assert.deepEqual(finalTools(events).map(summary), [
    { tool: 'read', kind: 'read', status: 'completed', path: 'src/math.js' },
    { tool: 'bash', kind: 'command', status: 'completed', command: 'ls src' },
  ]);
  assert.deepEqual(only(events, 'text').map((e) => e.text), ['The module has one function.\nNothing to change.']);
  assert.equal(only(events, 'completion').length, 1);
});

test('--json stdout alone: session, summary text and completion from the one JSON line', () => {
  assert.deepEqual(parseFixture('json-stdout'), [
    { kind: 'session', sessionId: 'ses_de8fda399ffeO0StPkq7ztTyzo' },
    { kind: 'text', text: 'The module has one function.\nNothing to change.' },
    { kind: 'completion', message: 'All tasks completed.' },
  ]);
});

test('--json after an error: "Session ended with error" and success:false add no duplicate error', () => {
  const events = parseFixture('json-error');
  assert.deepEqual(only(events, 'error').map((e) => e.api), [true]);
  assert.deepEqual(only(events, 'completion'), []);
  assert.deepEqual(only(events, 'text'), []);
});

test('the CLI failing before a session exists is a non-API error', () => {
  assert.deepEqual(parseFixture('no-opencode-binary'), [{ kind: 'error', message: 'spawn opencode ENOENT', api: false }]);
  assert.deepEqual(parseFixture('server-start-timeout'), [
    { kind: 'error', message: 'Timeout waiting for server to start after 5000ms', api: false },
  ]);
});

// Grammar details that the fixtures do not all cover, written as oh-my-opencode 4.19.4 renders them.

test('tool headers: descriptions are cut off paths and commands, icons give the tool', () => {
  const tools = finalTools(
    parse([
      '',
      '  → Read /repo/a file.ts offset=10 limit=20  ',
      '',
      '  $ npm test -- --grep "x y" description=Run tests timeout=120000  ',
      '',
      '  ✱ Grep "TODO" in /repo/src  ',
      '',
      '  ✱ Glob "**/*.ts"  ',
      '',
      '  # Explore the parser agent=explore  ',
      '',
      '  → List /repo  ',
      '',
      '  % WebFetch https://example.com format=markdown  ',
      '',
      '  ⚙ lsp_symbols query=Parser  ',
      '',
      '  ← Edit /repo/b.ts replaceAll=true  ',
      '',
      '  → Skill "git-master"  ',
    ]),
  );
  assert.deepEqual(
    tools.map((t) => [t.tool, t.toolKind, t.path ?? t.command ?? t.title]),
    [
      ['read', 'read', '/repo/a file.ts'],
      ['bash', 'command', 'npm test -- --grep "x y"'],
      ['grep', 'search', 'Grep "TODO" in /repo/src'],
      ['glob', 'search', 'Glob "**/*.ts"'],
      ['task', 'task', 'Explore the parser'],
      ['list', 'search', '/repo'],
      ['webfetch', 'other', 'WebFetch https://example.com'],
      ['lsp_symbols', 'other', 'lsp_symbols query=Parser'],
      ['edit', 'edit', '/repo/b.ts'],
      ['skill', 'other', 'Skill "git-master"'],
    ],
  );
  // Each header closed the one before it; the last was still running when the log ended.
  assert.deepEqual(tools.map((t) => t.status), [...Array<string>(9).fill('completed'), 'running']);
});

test('coloured headers: the bold span is the exact title, even when it looks like a description', () => {
  const [tool] = finalTools(
    parse(['', '  \x1b[36m$\x1b[39m \x1b[1mFOO=1 env description=x\x1b[22m \x1b[2mdescription=Set it\x1b[22m  ']),
  );
  assert.equal(tool?.command, 'FOO=1 env description=x');
});

test('shell lines inside assistant text are not tool calls', () => {
  const events = parse(['', '  Run this:  ', '  $ npm test  ', '  → and read the log  ', '  └─ Sisyphus - ultraworker · gpt-5.4 (high) · 3.2s  ']);
  assert.deepEqual(only(events, 'tool'), []);
  assert.deepEqual(only(events, 'text').map((e) => e.text), ['Run this:\n$ npm test\n→ and read the log']);
});

test('agent header mid-run: model line and agent line, not text; footers end text blocks', () => {
  const events = parse([
    '[10:00:00] Model: openai/gpt-5.4',
    '[10:00:01] ',
    '[10:00:01]   gpt-5.4 (high)  ',
    '[10:00:01]   └─ \x1b[38;2;0;206;209mSisyphus - ultraworker\x1b[39m  ',
    '[10:00:01] ',
    '[10:00:02]   Looking around.',
    '[10:00:02]   └─ Sisyphus - ultraworker · gpt-5.4 (high) · 0.4s  ',
    '[10:00:03] ',
    '[10:00:03]   claude-opus-4.6  ',
    '[10:00:03]   └─ Oracle  ',
  ]);
  assert.deepEqual(
    events.map((e) => (e.kind === 'model' ? e.model : e.kind === 'agent' ? `@${e.agent}` : e.kind === 'text' ? `"${e.text}"` : e.kind)),
    ['openai/gpt-5.4', '@Sisyphus - ultraworker', '"Looking around."', 'claude-opus-4.6', '@Oracle'],
  );
});

test('footer between a tool header and its output does not end the tool', () => {
  const tools = finalTools(
    parse([
      '  I will read it.',
      '  → Read /r/x.ts  ',
      '',
      '  └─ Hephaestus - Deep Agent · gpt-5.4 · 0.1s  ',
      '  └─ output  ',
      '  1: x  ',
      '',
    ]),
  );
  assert.deepEqual(tools.map((t) => [t.path, t.status, t.output]), [['/r/x.ts', 'completed', '1: x']]);
});

test('text straight after an edit result is text, not output', () => {
  const events = parse(['', '  ← Edit /r/x.ts  ', '  └─ output  ', '  Edit applied successfully.  ', '  Done, one line changed.  ', '  Bye.', '']);
  assert.equal(finalTools(events)[0]?.output, 'Edit applied successfully.');
  assert.deepEqual(only(events, 'text').map((e) => e.text), ['Done, one line changed.\nBye.']);
});

test('tool output is bounded', () => {
  const lines = ['', '  $ yes  ', '  └─ output  ', ...Array.from({ length: 5_000 }, () => '  y y y y y y y y  '), ''];
  const [tool] = finalTools(parse(lines));
  assert.ok((tool?.output?.length ?? 0) <= 2_000);
  assert.equal(tool?.status, 'completed');
});

test('error classification: provider phrases and visible status codes', () => {
  assert.deepEqual(classifyErrorText('AI_APICallError: Service Unavailable (status 503)'), { api: true, status: 503 });
  assert.deepEqual(classifyErrorText('429 Too Many Requests'), { api: true, status: 429 });
  assert.deepEqual(classifyErrorText('Provider returned error'), { api: true });
  assert.deepEqual(classifyErrorText('Unexpected server error. Check server logs for details.'), { api: false });
  assert.deepEqual(classifyErrorText('spawn opencode ENOENT'), { api: false });
});

test('interrupt and column-0 noise', () => {
  const events = parse([
    'oh-my-opencode: bun is not available (spawnSync bun ENOENT); falling back to the node CLI at /x/index.js',
    'Port 4096 is occupied, attaching to existing server',
    'Interrupted. Shutting down...',
  ]);
  assert.deepEqual(events, [
    { kind: 'server', url: 'http://127.0.0.1:4096' },
    { kind: 'error', message: 'Interrupted. Shutting down...', api: false },
  ]);
});
