import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyEvent, describeRetry, emptyDigest } from '../../src/digest.js';
import { decideFinalState, type ProcessEnd, type Verdict } from '../../src/detect/final-state.js';
import type { RunEvent } from '../../src/events.js';
import { claudeRunner } from '../../src/runners/claude.js';
import { createClaudeParser } from '../../src/runners/claude-parser.js';
import { claudeProjectName, exportClaudeSession, findClaudeTranscript, readClaudeSession } from '../../src/runners/claude-session.js';
import { fixtureLines, only, parseLines, relativeToCapture } from './parser-harness.js';

// Three parts: the stream-json parser, the session transcript (claude-session.ts) and the adapter's
// argv and options (claude.ts).

// Fixtures are stdout+stderr of `claude -p … --output-format stream-json --verbose` against the
// scripted model; test/fixtures/README.md says how they were captured.
const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/claude/', import.meta.url));

type ToolEvent = Extract<RunEvent, { kind: 'tool' }>;

const fixture = (name: string): string[] => fixtureLines(`${FIXTURES}${name}.jsonl`);

const parse = (lines: readonly string[]): RunEvent[] => parseLines(createClaudeParser(), lines);

const parseFixture = (name: string) => parse(fixture(name));

/** The last report of each call, in the order the calls started. */
function finalCalls(events: RunEvent[]): Record<string, unknown>[] {
  const last = new Map<string, ToolEvent>();
  for (const tool of only(events, 'tool')) last.set(tool.callId, tool);
  return [...last.values()].map((tool) => ({
    tool: tool.tool,
    kind: tool.toolKind,
    status: tool.status,
    ...(tool.path !== undefined && { path: relativeToCapture(tool.path) }),
    ...(tool.command !== undefined && { command: tool.command }),
    ...(tool.exitCode !== undefined && { exit: tool.exitCode }),
  }));
}

/** What Baton would decide for a run that printed these events and ended like this. */
function verdictOf(events: RunEvent[], end: Partial<ProcessEnd>): Verdict {
  const digest = emptyDigest();
  for (const event of events) applyEvent(digest, event);
  return decideFinalState({
    end: { exitCode: 0, signal: null, killRequested: false, ...end },
    digest,
    spec: { expectedFiles: [] },
    missingFiles: [],
    unfinishedTools: null,
    completionSignal: 'a final "result" event with is_error false',
  });
}

test('rich session: session, model, every tool call with paths, commands and exit codes, text, tokens, completion', () => {
  const events = parseFixture('rich');
  assert.deepEqual(only(events, 'session').map((e) => e.sessionId), ['73cd917e-c091-43f3-9f22-9cf14b113672']);
  assert.deepEqual(only(events, 'model').map((e) => e.model), ['claude-sonnet-4-5']);
  assert.deepEqual(finalCalls(events), [
    { tool: 'Read', kind: 'read', status: 'completed', path: 'src/math.js' },
    { tool: 'Read', kind: 'read', status: 'completed', path: 'README.md' },
    { tool: 'Read', kind: 'read', status: 'completed', path: 'package.json' },
    { tool: 'Read', kind: 'read', status: 'error', path: 'missing.txt' },
    { tool: 'Bash', kind: 'command', status: 'completed', command: 'echo hello && ls src', exit: 0 },
    { tool: 'Bash', kind: 'command', status: 'error', command: `node -e "console.error('boom'); process.exit(3)"`, exit: 3 },
    { tool: 'Edit', kind: 'edit', status: 'completed', path: 'src/math.js' },
    { tool: 'Write', kind: 'write', status: 'completed', path: 'test/math.test.js' },
    { tool: 'Bash', kind: 'command', status: 'completed', command: 'node test/math.test.js', exit: 0 },
  ]);
  // Each call is first seen running (tool_use id = callId), then finished by its tool_result.
  const tools = only(events, 'tool');
  const first = tools[0]!;
  assert.equal(first.status, 'running');
  assert.match(first.callId, /^toolu_/);
  assert.equal(tools.filter((t) => t.callId === first.callId).at(-1)?.status, 'completed');
  const failed = tools.find((t) => t.exitCode === 3)!;
  assert.equal(failed.output, 'Exit code 3\nboom');
  assert.equal(failed.title, 'Fail on purpose');
  assert.match(tools.find((t) => t.status === 'error' && t.toolKind === 'read')!.output!, /File does not exist/);

  assert.deepEqual(only(events, 'text').map((e) => e.text.split('\n')[0]), [
    'I will read the module first.',
    'Fixed add() in src/math.js (it subtracted) and added test/math.test.js, which passes.',
  ]);
  const steps = only(events, 'step');
  assert.equal(steps.length, 1);
  assert.equal(steps[0]!.reason, 'end_turn');
  assert.ok(steps[0]!.tokens!.input > 0 && steps[0]!.tokens!.output === 252);
  assert.ok(steps[0]!.cost! > 0);
  assert.equal(only(events, 'completion').length, 1);
  assert.equal(events.at(-1)?.kind, 'completion');
  assert.deepEqual(only(events, 'error'), []);
  assert.deepEqual(verdictOf(events, {}), { state: 'completed', reasons: [] });
});

test('resumed session: the same session id, and the run completes on its own result', () => {
  const events = parseFixture('resume');
  assert.deepEqual(only(events, 'session').map((e) => e.sessionId), ['73cd917e-c091-43f3-9f22-9cf14b113672']);
  assert.deepEqual(finalCalls(events), [{ tool: 'Write', kind: 'write', status: 'completed', path: 'src/b.txt' }]);
  assert.deepEqual(verdictOf(events, {}), { state: 'completed', reasons: [] });
});

test('API 500 with CLAUDE_CODE_MAX_RETRIES=2: a retry event per attempt as it happens, then an API error with its status', () => {
  const events = parseFixture('http-500');
  const retries = only(events, 'retry');
  assert.deepEqual(retries.map(describeRetry), ['retrying 1/2, API 500', 'retrying 2/2, API 500']);
  assert.match(retries[0]!.message!, /server_error, next try in \d/);
  // The retries come before anything else ends the run: they show while claude is still waiting.
  assert.ok(events.indexOf(retries[1]!) < events.findIndex((e) => e.kind === 'error'));
  const errors = only(events, 'error');
  assert.equal(errors.length, 1, 'the result repeating the error adds no second one');
  assert.equal(errors[0]!.api, true);
  assert.equal(errors[0]!.status, 500);
  assert.match(errors[0]!.message, /^API Error: 500 upstream exploded/);
  // The trap: subtype "success" with is_error true is no completion.
  assert.equal(only(events, 'completion').length, 0);
  assert.deepEqual(only(events, 'text'), [], 'the error text is not the agent speaking');
  const verdict = verdictOf(events, { exitCode: 1 });
  assert.equal(verdict.state, 'failed');
  assert.equal(verdict.reasons[0], 'agent exited with code 1');
  assert.match(verdict.reasons[1]!, /^model API 500: API Error: 500 upstream exploded/);
});

test('a denied Bash call: exit 0 and no error from claude, but a denied event, so the run is incomplete', () => {
  const events = parseFixture('denied');
  assert.deepEqual(only(events, 'denied'), [{ kind: 'denied', tool: 'Bash', detail: 'node test/math.test.js' }]);
  const bash = finalCalls(events).find((c) => c.tool === 'Bash');
  assert.deepEqual(bash, { tool: 'Bash', kind: 'command', status: 'error', command: 'node test/math.test.js' });
  assert.equal(only(events, 'completion').length, 1, 'claude itself calls it a success');
  assert.deepEqual(verdictOf(events, {}), { state: 'incomplete', reasons: ['permission denied: Bash node test/math.test.js'] });
});

test('killed by SIGTERM mid-Bash: claude kills the command (exit 137) and exits 143 without a result', () => {
  const events = parseFixture('killed');
  assert.deepEqual(finalCalls(events), [
    { tool: 'Read', kind: 'read', status: 'completed', path: 'src/math.js' },
    { tool: 'Bash', kind: 'command', status: 'error', command: 'sleep 30', exit: 137 },
  ]);
  assert.equal(only(events, 'completion').length, 0);
  assert.equal(only(events, 'step').length, 0);
  assert.equal(verdictOf(events, { exitCode: 143 }).state, 'failed');
});

test('killed by SIGKILL mid-Bash: the call stays running, so a run ending 0 there would be cut off', () => {
  const events = parseFixture('killed-sigkill');
  assert.deepEqual(finalCalls(events).at(-1), { tool: 'Bash', kind: 'command', status: 'running', command: 'sleep 30' });
  assert.equal(only(events, 'completion').length, 0);
  assert.deepEqual(verdictOf(events, { exitCode: null, signal: 'SIGKILL' }).reasons, ['agent process killed by SIGKILL from outside Baton']);
  const asIfExited0 = verdictOf(events, {});
  assert.equal(asIfExited0.state, 'incomplete');
  assert.ok(asIfExited0.reasons.includes('cut off during bash `sleep 30`'), JSON.stringify(asIfExited0.reasons));
});

test('stderr lines: refusing to skip permissions as root says how to allow it; an unknown session is one error', () => {
  const root = only(parseFixture('root-skip'), 'error');
  assert.equal(root.length, 1);
  assert.equal(root[0]!.api, false);
  assert.match(root[0]!.message, /cannot be used with root\/sudo privileges.*IS_SANDBOX=1/);

  const unknown = parseFixture('resume-unknown');
  assert.deepEqual(only(unknown, 'error').map((e) => [e.message, e.api]), [['No conversation found with session ID: 0b7e3a4c-2f61-4d0e-9a55-1c2d3e4f5a6b', false]]);
  assert.equal(only(unknown, 'completion').length, 0);
});

test('JSON is read as JSON: key order and spacing do not matter, strange lines do not stop the parser', () => {
  const events = parse([
    '  {"session_id":"s-1","subtype":"init","model":"m","type":"system"}',
    '{"type":"assistant","session_id":"s-1","message":{"content":[{"input":{"command":"make","description":"Build"},"name":"Bash","id":"t1","type":"tool_use"}]}}',
    '{"type":"assistant","message":{"content":"not an array"}}',
    '{"type":"user","message":{"content":[{"type":"tool_result","tool_use_id":"t1","is_error":true,"content":[{"type":"text","text":"Exit code 2\\nmake: *** No rule"}]}]}}',
    '{"type":"user","message":{"content":[{"type":"tool_result","tool_use_id":"unknown-call"}]}}',
    '{"type":"result","subtype":"error_max_turns","is_error":true,"num_turns":3,"errors":["Reached maximum number of turns (3)"],"permission_denials":[{"tool_name":"WebFetch","tool_input":{"url":"https://example.com","prompt":"x"}}]}',
    '{"type":"result","subtype":"success","is_error":false,"result":"ok"',
    '[1,2,3]',
    'null',
    '{"type":"system","subtype":"api_retry"}',
  ]);
  assert.deepEqual(only(events, 'session').map((e) => e.sessionId), ['s-1']);
  assert.deepEqual(finalCalls(events), [
    { tool: 'Bash', kind: 'command', status: 'error', command: 'make', exit: 2 },
    { tool: 'unknown', kind: 'other', status: 'completed' },
  ]);
  assert.deepEqual(only(events, 'denied'), [{ kind: 'denied', tool: 'WebFetch', detail: '{"url":"https://example.com","prompt":"x"}' }]);
  const errors = only(events, 'error');
  // Lines that are not JSON objects come from stderr: they are kept as (non-API) errors.
  assert.deepEqual(errors.map((e) => [e.message, e.api]), [['Reached maximum number of turns (3)', false], ['[1,2,3]', false], ['null', false]]);
  assert.equal(only(events, 'completion').length, 0, 'a truncated result line is no completion');
  assert.deepEqual(only(events, 'retry'), [{ kind: 'retry', attempt: 1 }]);
});

test('subagent texts are not the final word; usage keeps cache tokens', () => {
  const events = parse([
    '{"type":"assistant","parent_tool_use_id":"task-1","message":{"content":[{"type":"text","text":"subagent notes"}]}}',
    '{"type":"assistant","parent_tool_use_id":null,"message":{"content":[{"type":"text","text":"All done."}]}}',
    '{"type":"result","subtype":"success","is_error":false,"stop_reason":"end_turn","usage":{"input_tokens":10,"output_tokens":5,"cache_read_input_tokens":7,"cache_creation_input_tokens":3},"total_cost_usd":0.5,"permission_denials":[]}',
  ]);
  assert.deepEqual(only(events, 'text').map((e) => e.text), ['All done.']);
  assert.deepEqual(only(events, 'step'), [{ kind: 'step', reason: 'end_turn', tokens: { input: 10, output: 5, cacheRead: 7, cacheWrite: 3 }, cost: 0.5 }]);
  assert.equal(events.at(-1)?.kind, 'completion');
});

// The transcript Claude Code keeps under its config dir (claude-session.ts), read for the verdict and
// for `baton export`. These fixtures are real transcripts of the runs above (see the fixtures README).

const TRANSCRIPTS = `${FIXTURES}transcripts/`;

/** A config dir holding one transcript (its first `lines` lines) under the folder claude would use. */
function configDirWith(t: TestContext, fixture: string, sessionId: string, workdir: string, lines?: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'baton-claude-config-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const project = join(dir, 'projects', claudeProjectName(workdir));
  mkdirSync(project, { recursive: true });
  const text = readFileSync(`${TRANSCRIPTS}${fixture}.jsonl`, 'utf8');
  writeFileSync(join(project, `${sessionId}.jsonl`), lines === undefined ? text : `${text.split('\n').slice(0, lines).join('\n')}\n`);
  return dir;
}

const KILLED_SESSION = '35701621-bf47-4e93-abd3-1204d108201e';

test('transcript of a run killed mid-Bash: the call never got a result, so it is unfinished', (t) => {
  // The first 9 lines are the killed run; the resumed run starts at line 10.
  const env = { CLAUDE_CONFIG_DIR: configDirWith(t, 'killed-then-resumed', KILLED_SESSION, '/tmp/claude-capture/runs/killed-sigkill/work', 9) };
  assert.deepEqual(readClaudeSession(KILLED_SESSION, env), {
    unfinishedTools: [{ tool: 'Bash', status: 'running', command: 'sleep 30' }],
    commands: [{ command: 'sleep 30', status: 'running' }],
    errors: [],
  });
});

test('transcript of the same session resumed: the earlier cut-off call no longer counts against the new run', (t) => {
  const env = { CLAUDE_CONFIG_DIR: configDirWith(t, 'killed-then-resumed', KILLED_SESSION, '/tmp/claude-capture/runs/killed-sigkill/work') };
  const facts = readClaudeSession(KILLED_SESSION, env)!;
  assert.deepEqual(facts.unfinishedTools, []);
  assert.deepEqual(facts.commands, [{ command: 'sleep 30', status: 'running' }], 'commands cover the whole session');
});

test('transcript: Bash exit codes, and failed model calls with their HTTP status', (t) => {
  const rich = '73cd917e-c091-43f3-9f22-9cf14b113672';
  const richEnv = { CLAUDE_CONFIG_DIR: configDirWith(t, 'rich-then-resumed', rich, '/elsewhere/with a long name') };
  assert.deepEqual(readClaudeSession(rich, richEnv)!.commands, [
    { command: 'echo hello && ls src', status: 'completed', exitCode: 0 },
    { command: `node -e "console.error('boom'); process.exit(3)"`, status: 'error', exitCode: 3 },
    { command: 'node test/math.test.js', status: 'completed', exitCode: 0 },
  ]);
  const failed = '521cb3cd-a400-4fa9-87da-8dac9ca4c826';
  const errors = readClaudeSession(failed, { CLAUDE_CONFIG_DIR: configDirWith(t, 'http-500', failed, '/w') })!.errors;
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.status, 500);
  assert.equal(errors[0]!.api, true);
  assert.match(errors[0]!.message, /^API Error: 500 upstream exploded/);
});

test('export: the transcript lines as JSON, found from the run dir, from any project folder, or not at all', (t) => {
  const rich = '73cd917e-c091-43f3-9f22-9cf14b113672';
  const workdir = '/tmp/claude-capture/runs/rich/work';
  const env = { CLAUDE_CONFIG_DIR: configDirWith(t, 'rich-then-resumed', rich, workdir) };
  assert.equal(claudeProjectName(workdir), '-tmp-claude-capture-runs-rich-work');
  assert.equal(claudeProjectName('/a.b_c d/ü'), '-a-b-c-d--');
  const lines = exportClaudeSession(rich, workdir, env) as { type: string; sessionId?: string }[];
  assert.equal(lines.length, 35);
  assert.ok(lines.every((line) => line.sessionId === undefined || line.sessionId === rich));
  assert.equal(findClaudeTranscript(rich, env, '/some/other/dir'), findClaudeTranscript(rich, env, workdir));
  assert.throws(() => exportClaudeSession('00000000-0000-4000-8000-000000000000', workdir, env), /no transcript of claude session/);
  assert.equal(findClaudeTranscript('../../etc/passwd', env), null);
  assert.equal(readClaudeSession('00000000-0000-4000-8000-000000000000', env), null);
});

// The adapter: argv and per-run options.

const context = { binary: '/bin/claude', locate: (name: string) => name, freePort: async () => 0, env: {} };

test('a fresh run: print mode, stream-json, a session id chosen up front, default permissions, the prompt after --', async () => {
  const invocation = await claudeRunner.buildLaunch({ prompt: '--looks-like-a-flag\n"quoted"', dir: '/repo', model: 'claude-sonnet-4-5', options: {} }, context);
  const sessionId = invocation.sessionId!;
  assert.match(sessionId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.deepEqual(invocation.args, [
    '-p', '--output-format', 'stream-json', '--verbose', '--model', 'claude-sonnet-4-5',
    '--permission-mode', 'acceptEdits', '--allowedTools', 'Bash',
    '--session-id', sessionId, '--', '--looks-like-a-flag\n"quoted"',
  ]);
  assert.equal(invocation.command, '/bin/claude');
  assert.equal(invocation.cwd, '/repo');
  assert.equal(invocation.stdin, undefined);
});

test('a resume: --resume with the session, no new session id; options carry over', async () => {
  const options = claudeRunner.checkOptions!({ permissionMode: 'dontAsk', allowedTools: ['Read', 'Bash(npm test:*)'], disallowedTools: 'WebFetch' });
  const invocation = await claudeRunner.buildLaunch({ prompt: 'Continue.', dir: '/repo', sessionId: 'abc-123', options }, context);
  assert.equal(invocation.sessionId, undefined);
  assert.deepEqual(invocation.args, [
    '-p', '--output-format', 'stream-json', '--verbose',
    '--permission-mode', 'dontAsk', '--allowedTools', 'Read', '--allowedTools', 'Bash(npm test:*)', '--disallowedTools', 'WebFetch',
    '--resume', 'abc-123', '--', 'Continue.',
  ]);
});

test('options: checked and named when wrong; allowedTools= allows nothing extra; skipping permissions', async () => {
  const check = claudeRunner.checkOptions!;
  assert.throws(() => check({ permisionMode: 'acceptEdits' }), /unknown option permisionMode \(claude takes permissionMode, allowedTools/);
  assert.throws(() => check({ permissionMode: 'yolo' }), /permissionMode=yolo is not one of acceptEdits, auto, bypassPermissions/);
  assert.throws(() => check({ permissionMode: ['plan', 'auto'] }), /takes one value/);
  assert.throws(() => check({ dangerouslySkipPermissions: 'yes' }), /true or false/);
  const none = await claudeRunner.buildLaunch({ prompt: 'p', dir: '/d', options: check({ allowedTools: '' }) }, context);
  assert.deepEqual(none.args.slice(4, 6), ['--permission-mode', 'acceptEdits']);
  assert.ok(!none.args.includes('--allowedTools'));

  // IS_SANDBOX comes from the env Baton was given, whatever this process's own environment says.
  if (process.getuid?.() === 0) {
    assert.throws(() => check({ dangerouslySkipPermissions: 'true' }, { IS_SANDBOX: '0' }), /as root unless IS_SANDBOX=1/);
    assert.throws(() => check({ permissionMode: 'bypassPermissions' }, {}), /IS_SANDBOX=1/);
  }
  const skip = await claudeRunner.buildLaunch({ prompt: 'p', dir: '/d', options: check({ dangerouslySkipPermissions: 'true' }, { IS_SANDBOX: '1' }) }, context);
  assert.ok(skip.args.includes('--dangerously-skip-permissions'));
  assert.ok(!skip.args.includes('--permission-mode') && !skip.args.includes('--allowedTools'));
});

test('a prompt too long for one argv element goes on stdin instead', async () => {
  const prompt = `${'x'.repeat(150_000)}\n`;
  const invocation = await claudeRunner.buildLaunch({ prompt, dir: '/repo', options: {} }, context);
  assert.equal(invocation.stdin, prompt);
  assert.ok(!invocation.args.includes(prompt) && !invocation.args.includes('--'));
});

test('a successful result closes a call whose result line was too long to parse', () => {
  const events = parse([
    '{"type":"assistant","message":{"content":[{"type":"tool_use","id":"t1","name":"Read","input":{"file_path":"/r/big.txt"}}]}}',
    // What the log reader hands over of a line longer than 1 MiB: its head only.
    `{"type":"user","message":{"role":"user","content":[{"tool_use_id":"t1","type":"tool_result","content":"${'x'.repeat(200)}`,
    '{"type":"result","subtype":"success","is_error":false,"permission_denials":[]}',
  ]);
  assert.deepEqual(finalCalls(events), [{ tool: 'Read', kind: 'read', status: 'completed', path: '/r/big.txt' }]);
  assert.equal(events.at(-1)?.kind, 'completion');
  assert.deepEqual(verdictOf(events, {}), { state: 'completed', reasons: [] });
});
