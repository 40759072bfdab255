import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { applyEvent, emptyDigest } from '../../src/digest.js';
import { decideFinalState } from '../../src/detect/final-state.js';
import type { RunEvent } from '../../src/events.js';
import { createCodexParser, unwrapShellCommand } from '../../src/runners/codex-parser.js';
import { exportCodexSession, findRollout, readCodexSession } from '../../src/runners/codex-session.js';
import { codexRunner } from '../../src/runners/codex.js';
import { fixtureLines, only, parseLines, relativeToCapture } from './parser-harness.js';

// Fixtures are the raw output (stdout and stderr together) of `codex exec --json`, and a CODEX_HOME
// holding some of those runs' rollout files; test/fixtures/README.md says how they were captured.
const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/codex/', import.meta.url));
const CODEX_HOME = `${FIXTURES}codex-home`;

type ToolEvent = Extract<RunEvent, { kind: 'tool' }>;

const parse = (lines: readonly string[]): RunEvent[] => parseLines(createCodexParser(), lines);

const parseFixture = (name: string): RunEvent[] => parse(fixtureLines(`${FIXTURES}${name}.jsonl`));

/** The last report of each call, in the order the calls first appeared. */
function finalTools(events: RunEvent[]): Record<string, unknown>[] {
  const last = new Map<string, ToolEvent>();
  for (const tool of only(events, 'tool')) last.set(tool.callId, tool);
  return [...last.values()].map((tool) => ({
    id: tool.callId,
    tool: tool.tool,
    kind: tool.toolKind,
    status: tool.status,
    ...(tool.path !== undefined && { path: relativeToCapture(tool.path) }),
    ...(tool.command !== undefined && { command: tool.command }),
    ...(tool.exitCode !== undefined && { exit: tool.exitCode }),
  }));
}

const line = (event: Record<string, unknown>): string => JSON.stringify(event);

test('rich session: commands with exit codes, patched files, texts, tokens, completion', () => {
  const events = parseFixture('rich');
  assert.deepEqual(only(events, 'session').map((e) => e.sessionId), ['01a21738-13d4-7421-9b19-cb2b46dcf17d']);
  assert.deepEqual(finalTools(events), [
    { id: 'item_1', tool: 'shell', kind: 'command', status: 'completed', command: 'echo hello && ls src', exit: 0 },
    // A command that ran and failed is a completed call with its exit code (codex says status "failed").
    { id: 'item_2', tool: 'shell', kind: 'command', status: 'completed', command: `node -e "console.error('boom'); process.exit(3)"`, exit: 3 },
    { id: 'item_3', tool: 'apply_patch', kind: 'edit', status: 'completed', path: 'src/math.js' },
    { id: 'item_4', tool: 'apply_patch', kind: 'write', status: 'completed', path: 'test/math.test.js' },
    // Two parallel calls, finishing in the other order.
    { id: 'item_5', tool: 'shell', kind: 'command', status: 'completed', command: 'node test/math.test.js', exit: 0 },
    { id: 'item_6', tool: 'shell', kind: 'command', status: 'completed', command: 'cat package.json', exit: 0 },
    // One patch touching two files: one call per file, so both are counted and listed.
    { id: 'item_8/0', tool: 'apply_patch', kind: 'edit', status: 'completed', path: 'README.md' },
    { id: 'item_8/1', tool: 'apply_patch', kind: 'write', status: 'completed', path: 'docs/NOTES.md' },
  ]);
  const tools = only(events, 'tool');
  // Every call is seen running before it completes, so a cut-off shows.
  assert.deepEqual(tools.filter((t) => t.callId === 'item_1').map((t) => t.status), ['running', 'completed']);
  assert.match(tools.find((t) => t.callId === 'item_2' && t.status === 'completed')!.output ?? '', /boom\n$/);
  assert.deepEqual(only(events, 'text').map((e) => e.text), [
    'I will look around first.',
    'Tests pass. Updating the docs.',
    'Fixed add() in src/math.js (it subtracted).\nAdded test/math.test.js, which passes.',
  ]);
  assert.deepEqual(only(events, 'step'), [
    { kind: 'step', reason: 'stop', tokens: { input: 71235, output: 222, reasoning: 0, cacheRead: 0, cacheWrite: 0 } },
  ]);
  assert.deepEqual(events.at(-1), { kind: 'completion' });
  assert.deepEqual(only(events, 'error'), []);
});

test('rich session folded into a digest: what `baton status` shows', () => {
  const digest = emptyDigest();
  for (const event of parseFixture('rich')) applyEvent(digest, event);
  assert.deepEqual(digest.toolCounts, { command: 4, edit: 2, write: 2 });
  assert.deepEqual(digest.openTools, {});
  assert.deepEqual(digest.commands.map((c) => [c.command, c.status, c.exitCode]), [
    ['echo hello && ls src', 'completed', 0],
    [`node -e "console.error('boom'); process.exit(3)"`, 'completed', 3],
    ['node test/math.test.js', 'completed', 0],
    ['cat package.json', 'completed', 0],
  ]);
  assert.deepEqual(digest.filesEdited.map(relativeToCapture), ['src/math.js', 'README.md']);
  assert.deepEqual(digest.filesWritten.map(relativeToCapture), ['test/math.test.js', 'docs/NOTES.md']);
  assert.equal(digest.completionSeen, true);
  assert.equal(digest.tokens.input, 71235);
});

test('HTTP 500: one API error (the turn.failed repeat is not counted twice), no completion', () => {
  const events = parseFixture('http-500');
  assert.deepEqual(events.map((e) => e.kind), ['session', 'error']);
  // codex hides the status and the server's message; the rollout has the status (see below).
  assert.deepEqual(only(events, 'error'), [
    { kind: 'error', message: 'We’re currently experiencing high demand, which may cause temporary errors.', api: true },
  ]);
});

test('HTTP 429, 400 and a malformed stream are API errors, with the status when codex shows it', () => {
  assert.deepEqual(only(parseFixture('http-429'), 'error'), [
    { kind: 'error', message: 'exceeded retry limit, last status: 429 Too Many Requests', api: true, status: 429 },
  ]);
  // A 4xx body passed on verbatim: its message is what a person needs.
  assert.deepEqual(only(parseFixture('http-400'), 'error'), [
    { kind: 'error', message: "Invalid value for 'input': the conversation is too long.", api: true },
  ]);
  assert.deepEqual(only(parseFixture('malformed'), 'error').map((e) => [e.message, e.api]), [
    ['stream disconnected before completion: stream closed before response.completed', true],
  ]);
  for (const name of ['http-500', 'http-429', 'http-400', 'malformed']) assert.deepEqual(only(parseFixture(name), 'completion'), [], name);
});

test('unknown model: the metadata notice is harmless, so it is no error event; the run still completes', () => {
  const events = parseFixture('unknown-model');
  assert.deepEqual(only(events, 'error'), []);
  assert.deepEqual(only(events, 'text').map((e) => e.text), ['Hello there.']);
  assert.deepEqual(events.at(-1), { kind: 'completion' });
});

test('a failed run with the metadata notice has only causes in its reasons and no notice as its error', () => {
  const notice = fixtureLines(`${FIXTURES}unknown-model.jsonl`).filter((line) => line.includes('Model metadata'));
  assert.equal(notice.length, 1, 'the fixture holds the notice');
  const failing = fixtureLines(`${FIXTURES}http-500.jsonl`);
  const digest = emptyDigest();
  for (const event of parse([...notice, ...failing])) applyEvent(digest, event);
  const verdict = decideFinalState({
    end: { exitCode: 1, signal: null, killRequested: false },
    digest,
    spec: { expectedFiles: [] },
    missingFiles: [],
    unfinishedTools: null,
    completionSignal: 'x',
  });
  assert.equal(verdict.state, 'failed');
  assert.ok(verdict.reasons.length > 0);
  for (const reason of verdict.reasons) assert.doesNotMatch(reason, /Model metadata/);
  assert.ok(digest.errors.every((e) => !/Model metadata/.test(e.message)), 'the brief\'s error line cannot show it');
});

test('other item-level error notices still reach the digest', () => {
  const line = JSON.stringify({ type: 'item.completed', item: { id: 'item_9', type: 'error', message: 'apply_patch verification failed: src/x.ts' } });
  assert.deepEqual(only(parse([line]), 'error'), [{ kind: 'error', message: 'apply_patch verification failed: src/x.ts', api: false }]);
});

test('resume: the same thread id comes back, then the new turn', () => {
  const events = parseFixture('resume');
  assert.deepEqual(only(events, 'session').map((e) => e.sessionId), ['01a21738-24aa-7790-a849-e4c2ae59bfbc']);
  assert.deepEqual(finalTools(events), [
    { id: 'item_0', tool: 'shell', kind: 'command', status: 'completed', command: 'grep -n return src/math.js', exit: 0 },
  ]);
  assert.deepEqual(events.at(-1), { kind: 'completion' });
});

test('resuming an unknown thread: codex exits 1 with "no rollout found" on stderr; that is the reason', () => {
  const events = parseFixture('resume-bogus');
  assert.deepEqual(events.map((e) => e.kind), ['error']);
  const [error] = only(events, 'error');
  assert.equal(error!.api, false);
  assert.match(error!.message, /^thread\/resume: thread\/resume failed: no rollout found for thread id 01a21728-0000-7000-8000-000000000000/);
  assert.match(error!.message, /CODEX_HOME/);
});

test('outside a git repository: codex refuses, and the error says which option to pass', () => {
  const [error] = only(parseFixture('not-git'), 'error');
  assert.match(error!.message, /^Not inside a trusted directory and --skip-git-repo-check was not specified\..*skipGitRepoCheck=true/);
  assert.equal(error!.api, false);
});

test('killed during `sleep 30`: the command stays running, no completion, no error', () => {
  const events = parseFixture('killed');
  assert.deepEqual(finalTools(events), [
    { id: 'item_0', tool: 'shell', kind: 'command', status: 'completed', command: 'cat src/math.js', exit: 0 },
    { id: 'item_1', tool: 'shell', kind: 'command', status: 'running', command: 'sleep 30' },
  ]);
  const digest = emptyDigest();
  for (const event of events) applyEvent(digest, event);
  assert.deepEqual(Object.values(digest.openTools), [{ tool: 'shell', toolKind: 'command', status: 'running', command: 'sleep 30' }]);
  assert.deepEqual(only(events, 'completion'), []);
  assert.deepEqual(only(events, 'error'), []);
});

test('read-only sandbox: the refused command never shows in the log (only the session has it)', () => {
  const events = parseFixture('read-only');
  assert.deepEqual(finalTools(events), [{ id: 'item_0', tool: 'shell', kind: 'command', status: 'completed', command: 'ls', exit: 0 }]);
  assert.deepEqual(events.at(-1), { kind: 'completion' });
});

test('model server down: codex reconnects forever; retries as they happen, the reason when the output ends', () => {
  const events = parseFixture('server-down');
  const retries = only(events, 'retry');
  assert.deepEqual(retries.map((r) => r.attempt), [1, 2, 3]);
  assert.equal(retries[0]!.message, 'Reconnecting... waiting for network (Connection failed: error sending request)');
  assert.deepEqual(only(events, 'error'), [
    {
      kind: 'error',
      message: 'codex could not reach the model and was still reconnecting (attempt 3): Reconnecting... waiting for network (Connection failed: error sending request)',
      api: true,
    },
  ]);
  // Reconnecting that ends in an answer is no error at all.
  const recovered = parse([
    line({ type: 'thread.started', thread_id: 't' }),
    line({ type: 'turn.started' }),
    line({ type: 'error', message: 'Reconnecting... waiting for network (Connection failed: error sending request)' }),
    line({ type: 'item.completed', item: { id: 'item_0', type: 'agent_message', text: 'Back.' } }),
    line({ type: 'turn.completed', usage: { input_tokens: 10, cached_input_tokens: 4, output_tokens: 2 } }),
  ]);
  assert.deepEqual(only(recovered, 'error'), []);
  assert.deepEqual(only(recovered, 'step')[0]!.tokens, { input: 6, output: 2, cacheRead: 4 });
  assert.deepEqual(recovered.at(-1), { kind: 'completion' });
});

test('the completion signal is a final turn.completed: work or a failure after it withdraws it', () => {
  const base = [line({ type: 'thread.started', thread_id: 't' }), line({ type: 'turn.started' }), line({ type: 'turn.completed', usage: {} })];
  assert.deepEqual(only(parse(base), 'completion').length, 1);
  const thenWork = [...base, line({ type: 'item.started', item: { id: 'item_9', type: 'command_execution', command: 'ls', status: 'in_progress' } })];
  assert.deepEqual(only(parse(thenWork), 'completion'), []);
  const thenFailure = [...base, line({ type: 'turn.started' }), line({ type: 'turn.failed', error: { message: 'boom' } })];
  assert.deepEqual(only(parse(thenFailure), 'completion'), []);
  assert.deepEqual(only(parse(thenFailure), 'error').map((e) => e.message), ['boom']);
});

test('declined commands, failed patches, MCP calls, web searches, todo lists and junk', () => {
  const events = parse([
    'not json at all',
    '{"type":"item.completed","item":{"id":"x", "type":',
    line({ type: 'item.completed', item: { id: 'item_0', type: 'command_execution', command: '/bin/bash -lc "rm -rf /"', exit_code: null, status: 'declined' } }),
    line({ type: 'item.completed', item: { id: 'item_1', type: 'file_change', changes: [{ path: '/w/a.ts', kind: 'update' }], status: 'failed' } }),
    line({ type: 'item.completed', item: { id: 'item_2', type: 'mcp_tool_call', server: 'docs', tool: 'search', status: 'failed', error: { message: 'no such doc' } } }),
    line({ type: 'item.completed', item: { id: 'item_3', type: 'web_search', query: 'codex exec json' } }),
    line({ type: 'item.started', item: { id: 'item_4', type: 'todo_list', items: [{ text: 'a', completed: false }] } }),
    line({ type: 'item.updated', item: { id: 'item_4', type: 'todo_list', items: [{ text: 'a', completed: true }] } }),
    line({ type: 'item.completed', item: { id: 'item_5', type: 'reasoning', text: 'hmm' } }),
    line({ type: 'something.new', whatever: 1 }),
  ]);
  assert.deepEqual(finalTools(events), [
    { id: 'item_0', tool: 'shell', kind: 'command', status: 'error', command: 'rm -rf /' },
    { id: 'item_1', tool: 'apply_patch', kind: 'edit', status: 'error', path: '/w/a.ts' },
    { id: 'item_2', tool: 'docs.search', kind: 'other', status: 'error' },
    { id: 'item_3', tool: 'web_search', kind: 'search', status: 'completed' },
    { id: 'item_4', tool: 'todo_list', kind: 'todo', status: 'completed' },
  ]);
  assert.deepEqual(only(events, 'denied'), [{ kind: 'denied', tool: 'shell', detail: 'rm -rf /' }]);
  assert.deepEqual(only(events, 'text'), []);
});

test('unwrapShellCommand takes the script out of codex\'s shell wrapper, and leaves anything else', () => {
  assert.equal(unwrapShellCommand(`/bin/bash -lc 'echo hello && ls src'`), 'echo hello && ls src');
  assert.equal(unwrapShellCommand(`/bin/bash -lc "node -e \\"console.error('boom'); process.exit(3)\\""`), `node -e "console.error('boom'); process.exit(3)"`);
  assert.equal(unwrapShellCommand('/bin/bash -lc ls'), 'ls');
  assert.equal(unwrapShellCommand(`bash -c 'it'"'"'s'`), "it's");
  assert.equal(unwrapShellCommand(`/bin/zsh -lc "echo \\$HOME \\\`x\\\`"`), 'echo $HOME `x`');
  for (const untouched of ['npm test', `/bin/bash -lc 'unterminated`, `/bin/bash -x 'ls'`, `python -c 'print(1)'`, '/bin/bash -lc ls extra']) {
    assert.equal(unwrapShellCommand(untouched), untouched);
  }
});

test('session store: commands with exit codes across a resume, and the hidden HTTP status', () => {
  // http-500's thread: a first turn failed with HTTP 500, then `resume` ran a command.
  const facts = readCodexSession('01a21738-24aa-7790-a849-e4c2ae59bfbc', { CODEX_HOME });
  assert.deepEqual(facts, {
    unfinishedTools: [],
    commands: [{ command: 'grep -n return src/math.js', status: 'completed', exitCode: 0 }],
    errors: [{ message: 'We’re currently experiencing high demand, which may cause temporary errors.', api: true, status: 500 }],
  });
  assert.deepEqual(readCodexSession('01a21738-2abf-7762-8179-830638eb0ab2', { CODEX_HOME })?.errors, [
    { message: 'exceeded retry limit, last status: 429 Too Many Requests', api: true, status: 429 },
  ]);
});

test('session store: the call cut off by a kill, and the command the read-only sandbox refused', () => {
  const killed = readCodexSession('01a21738-519c-77f3-b381-e0e6b0739f02', { CODEX_HOME });
  assert.deepEqual(killed?.unfinishedTools, [{ tool: 'shell', status: 'running', command: 'sleep 30' }]);
  assert.deepEqual(killed?.commands, [
    { command: 'cat src/math.js', status: 'completed', exitCode: 0 },
    { command: 'sleep 30', status: 'running' },
  ]);
  const readOnly = readCodexSession('01a21738-6704-7b40-90d9-35529dedbf89', { CODEX_HOME });
  assert.deepEqual(readOnly?.commands, [
    { command: "printf 'x\\n' > notes.txt", status: 'completed', exitCode: 1 },
    { command: 'ls', status: 'completed', exitCode: 0 },
  ]);
  assert.equal(readCodexSession('00000000-0000-7000-8000-000000000000', { CODEX_HOME }), null);
  assert.equal(readCodexSession('01a21738-519c-77f3-b381-e0e6b0739f02', { CODEX_HOME: '/nonexistent' }), null);
});

test('export: the rollout as parsed lines, found by thread id under CODEX_HOME', async () => {
  const path = findRollout('01a21738-519c-77f3-b381-e0e6b0739f02', { CODEX_HOME });
  assert.match(path ?? '', /sessions\/2026\/11\/26\/rollout-2026-11-26T09-38-16-01a21738-519c-77f3-b381-e0e6b0739f02\.jsonl$/);
  const lines = exportCodexSession('01a21738-519c-77f3-b381-e0e6b0739f02', { CODEX_HOME });
  assert.ok(Array.isArray(lines) && lines.length > 5);
  assert.equal(lines[0]!.type, 'session_meta');
  const viaAdapter = (await codexRunner.exportSession('01a21738-519c-77f3-b381-e0e6b0739f02', { dir: '/', env: { CODEX_HOME }, locate: (n) => n })) as unknown[];
  assert.equal(viaAdapter.length, lines.length);
  assert.throws(() => exportCodexSession('nope', { CODEX_HOME }), /no codex rollout for thread nope under .*codex-home\/sessions/);
});

test('adapter: argv for a launch and a resume, options checked, stdin left closed', async () => {
  const context = { binary: '/bin/codex', locate: (n: string) => n, freePort: async () => 0, env: {} };
  const options = codexRunner.checkOptions!({});
  assert.deepEqual(options, { sandbox: 'workspace-write' });
  const launch = await codexRunner.buildLaunch({ prompt: '--looks like a flag', dir: '/w', model: 'gpt-5.5', options }, context);
  assert.deepEqual(launch, {
    command: '/bin/codex',
    args: ['exec', '--json', '-c', 'approval_policy="never"', '-c', 'sandbox_mode="workspace-write"', '--model', 'gpt-5.5', '--', '--looks like a flag'],
    cwd: '/w',
  });
  const resumeOptions = codexRunner.checkOptions!({ sandbox: 'danger-full-access', skipGitRepoCheck: 'true', config: ['model_reasoning_effort="high"'] });
  const resume = await codexRunner.buildLaunch({ prompt: 'Continue.', dir: '/w', sessionId: 'thread-1', options: resumeOptions }, context);
  assert.deepEqual(resume.args, [
    'exec', 'resume', '--json', '--skip-git-repo-check', '-c', 'approval_policy="never"', '-c', 'sandbox_mode="danger-full-access"',
    '-c', 'model_reasoning_effort="high"', '--', 'thread-1', 'Continue.',
  ]);
  assert.equal(resume.stdin, undefined);
  // Too long for one argv element: the prompt goes on stdin, as "-".
  const long = await codexRunner.buildLaunch({ prompt: 'x'.repeat(200_000), dir: '/w', options }, context);
  assert.equal(long.args.at(-1), '-');
  assert.equal(long.stdin?.length, 200_000);
  assert.throws(() => codexRunner.checkOptions!({ sandbox: 'none' }), /sandbox=none is not one of read-only, workspace-write, danger-full-access/);
  assert.throws(() => codexRunner.checkOptions!({ approval: 'never' }), /unknown option approval/);
  assert.throws(() => codexRunner.checkOptions!({ config: 'no-equals' }), /config takes KEY=VALUE/);
  await assert.rejects(codexRunner.buildLaunch({ prompt: 'x', dir: '/w', agent: 'build', options }, context), /codex has no agents/);
});
