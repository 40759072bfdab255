import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { phasePrompt, resultChars, startMcpSession, textOf, waitUntilDone } from './harness.js';

const TOOLS = ['run', 'status', 'wait', 'tail', 'list', 'kill', 'resume', 'export', 'diff', 'plan_run', 'plan_wait', 'plan_status', 'plan_resume', 'prompt_lint', 'route', 'workers'];

test('lists every tool in under 6,300 chars, each refusing unknown arguments; bad input is a tool error naming the field, and the server keeps serving', async (t) => {
  const session = await startMcpSession(t, { steps: [] });
  const { tools } = await session.client.listTools();
  assert.deepEqual(tools.map((tool) => tool.name).sort(), [...TOOLS].sort());
  // Every session carries this listing from its first turn (the cluster's workers tool took it past 6,000).
  const listed = JSON.stringify({ tools });
  assert.ok(listed.length <= 6_300, `tools/list is ${listed.length} chars`);
  for (const tool of tools) {
    assert.ok(tool.description && tool.description.length < 200, `${tool.name} has a one-line description`);
    assert.equal(tool.inputSchema.additionalProperties, false, `${tool.name} refuses unknown arguments`);
  }
  assert.deepEqual(tools.find((tool) => tool.name === 'tail')!.inputSchema.required, ['id']);
  assert.match(tools.find((tool) => tool.name === 'wait')!.description!, /call again/);

  const tooLong = await session.call('wait', { ids: ['x'], timeoutSeconds: 99 });
  assert.equal(tooLong.isError, true);
  assert.match(textOf(tooLong), /timeoutSeconds/);
  const wrongType = await session.call('tail', { id: 'x', lines: 'many' });
  assert.equal(wrongType.isError, true);
  assert.match(textOf(wrongType), /lines/);
  const noDir = await session.call('run', { prompt: 'hi', dir: '/nonexistent/baton-mcp', runner: 'opencode' });
  assert.equal(noDir.isError, true);
  assert.match(textOf(noDir), /^run: invalid input: dir: \/nonexistent\/baton-mcp does not exist$/);
  const noPromptFile = await session.call('run', { promptFile: '/nonexistent/prompt.txt', dir: session.repo, runner: 'opencode' });
  assert.match(textOf(noPromptFile), /^run: invalid input: promptFile: cannot read \/nonexistent\/prompt\.txt: ENOENT$/);
  const badStall = await session.call('run', { prompt: 'hi', dir: session.repo, runner: 'cmd', runnerOptions: { command: 'true {prompt}' }, stallAfterSeconds: 0.0001 });
  assert.match(textOf(badStall), /^run: invalid input: stallAfterSeconds: 0\.1 ms is not a positive duration/);
  const plan = join(session.repo, '..', `plan-${process.pid}.yaml`);
  writeFileSync(plan, `project: x\ndir: ${session.repo}\nphases:\n  - { id: a, title: t, prompt: p }\n`);
  t.after(() => rmSync(plan, { force: true }));
  const unlinted = await session.call('plan_run', { file: plan, dryRun: true });
  assert.match(textOf(unlinted), /^plan_run: invalid input: the phase prompts have lint errors; fix them \(or set noLint: true\):\n/);
  const noPhase = await session.call('plan_run', { file: plan, dryRun: true, noLint: true, from: 'zz' });
  assert.equal(textOf(noPhase), 'plan_run: invalid input: from: zz: no such phase; phases are a');
  // The runner is checked by the library, as for the CLI: its error, with the table's names.
  const noRunner = await session.call('run', { prompt: 'hi', dir: '/nonexistent/baton-mcp', runner: 'nope' });
  assert.equal(noRunner.isError, true);
  assert.match(textOf(noRunner), /unknown runner "nope"; known runners: omo, opencode, cmd, claude, codex/);
  const unknown = await session.call('status', { ids: ['zzzzzzzz'] });
  assert.equal(unknown.isError, true);
  assert.match(textOf(unknown), /no run "zzzzzzzz"/);
  const lint = await session.call('prompt_lint', {});
  assert.equal(lint.isError, true);
  assert.match(textOf(lint), /text or file/);

  // Still serving after all of that.
  const route = await session.call('route', { task: 'Debug why the scheduler deadlocks under load' });
  assert.equal(route.structuredContent.agent, 'oracle');
  const findings = await session.call('prompt_lint', { text: phasePrompt(['src/a.txt']) });
  assert.equal(findings.isError, undefined);
  assert.equal(typeof findings.structuredContent.errors, 'number');
});

test('run → bounded waits (a line each while not done, with progress) → an end report needing no status; tail, diff, export of a real opencode run', async (t) => {
  const session = await startMcpSession(t, {
    steps: [
      { tools: [{ name: 'write', args: { filePath: '{{workdir}}/src/greeting.txt', content: 'hello\n' } }] },
      { delayMs: 7_000, text: 'Done: wrote src/greeting.txt.' },
    ],
  });
  const launched = await session.call('run', { runner: 'opencode', model: session.model, dir: session.repo, prompt: phasePrompt(['src/greeting.txt']), name: 'greet' });
  assert.equal(launched.isError, undefined, textOf(launched));
  const id: string = launched.structuredContent.id;
  assert.match(textOf(launched), new RegExp(`^launched ${id}`));

  const { result, calls, progress, notDone } = await waitUntilDone(session, ['greet'], 3);
  assert.ok(calls >= 2, `the 3 s bound ran out at least once (took ${calls} calls)`);
  assert.ok(progress.length > 0, 'progress notifications arrived during the wait');
  for (const look of notDone) {
    assert.ok(resultChars(look) < 100, `a wait that is not done says almost nothing: ${textOf(look)} ${JSON.stringify(look.structuredContent)}`);
    assert.match(textOf(look), new RegExp(`^not done: ${id} running \\S+, \\+\\d+ lines$`));
  }
  const [final] = result.structuredContent.runs;
  assert.equal(final.state, 'completed', JSON.stringify(final.reasons));
  assert.match(textOf(result), new RegExp(`^done: ${id} completed`));
  // The end report holds what the lead decides on, so no status call is needed after it.
  assert.match(final.sessionId, /^ses_/);
  assert.deepEqual(final.filesChanged, ['src/greeting.txt']);
  assert.match(final.finalMessage, /wrote src\/greeting\.txt/);
  assert.match(final.next, /diff/);
  assert.ok(resultChars(result) < 600, `the end report stays small: ${resultChars(result)} chars`);
  assert.ok(existsSync(join(session.repo, 'src/greeting.txt')));

  const status = await session.call('status', { ids: [id] });
  const brief = textOf(status);
  assert.match(brief, new RegExp(`${id}\\s+completed`));
  assert.match(brief, /session\s+ses_/);
  assert.match(brief, /changed\s+src\/greeting\.txt/);
  assert.equal(status.structuredContent.runs[0].sessionId, final.sessionId);
  assert.ok(!brief.includes('{"'), 'the text is the brief, not a JSON dump');

  const tail = await session.call('tail', { id, lines: 5 });
  assert.ok(tail.structuredContent.lines.length <= 5);

  const diff = await session.call('diff', { id, patch: true });
  assert.deepEqual(diff.structuredContent.changes, [{ path: 'src/greeting.txt', change: 'added' }]);
  assert.match(diff.structuredContent.patch, /\+hello/);

  const exported = await session.call('export', { id, lastMessages: 2, maxChars: 80 });
  assert.equal(exported.isError, undefined, textOf(exported));
  assert.ok(exported.structuredContent.messages >= 2);
  assert.ok(exported.structuredContent.toolCalls >= 1);
  assert.equal(exported.structuredContent.toolsByName.write, 1);
  assert.ok(exported.structuredContent.last.length <= 2);
  assert.ok(textOf(exported).length < 1_000);

  const listed = await session.call('list', {});
  assert.equal(listed.structuredContent.runs[0].id, id);
});
