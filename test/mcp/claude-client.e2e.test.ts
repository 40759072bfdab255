import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseScript, prepareClaudeSandbox, startMockModel, SCRIPTED_CLAUDE_MODEL } from '../../src/mock-model/index.js';
import { BIN_DIR, makeTempDir } from '../mock-model/agent-harness.js';
import { API_KEY } from '../contract/harness.js';
import { runCli } from '../e2e/harness.js';
import { mcpServerArgv, phasePrompt, prepareAgentWorld } from './harness.js';

interface Block { type: string; id?: string; name?: string; tool_use_id?: string; content?: unknown; is_error?: boolean }

const blockText = (content: unknown): string =>
  typeof content === 'string' ? content : Array.isArray(content) ? content.map((c: { text?: string }) => c.text ?? '').join('\n') : '';

/**
 * Claude Code itself as the MCP client: its scripted model (one mock) calls mcp__baton__run, then
 * wait while it is not done, then acts on the end report with no status call; Baton launches a real
 * opencode against a second mock. What reached the model behind Claude Code must be what Baton
 * reports, each fact once, and a look that is not done must cost it a line.
 */
test('a real Claude Code drives Baton over MCP: run → wait (not done) → wait (the end report), no status call', async (t) => {
  const world = await prepareAgentWorld(t, {
    steps: [{ tools: [{ name: 'write', args: { filePath: '{{workdir}}/inner.txt', content: 'from the inner agent\n' } }] }, { delayMs: 3_000, text: 'Done: wrote inner.txt.' }],
  });
  const outer = await startMockModel({
    apiKey: API_KEY,
    script: parseScript({
      steps: [
        { tools: [{ name: 'mcp__baton__run', args: { runner: 'opencode', model: world.model, dir: world.repo, prompt: phasePrompt(['inner.txt']), name: 'inner' } }] },
        { tools: [{ name: 'mcp__baton__wait', args: { ids: ['inner'], timeoutSeconds: 1 } }] },
        { tools: [{ name: 'mcp__baton__wait', args: { ids: ['inner'], timeoutSeconds: 40 } }] },
        { text: 'The inner run completed.' },
      ],
    }),
  });
  t.after(() => outer.close());
  const root = await makeTempDir('baton-mcp-claude-');
  const claude = await prepareClaudeSandbox({ baseUrl: outer.url, apiKey: API_KEY, root, maxRetries: 1, isolateHome: true });
  const serverEnv = Object.fromEntries(Object.entries(world.env).filter(([k]) => /^(BATON_|XDG_|OPENCODE|NO_COLOR$|PATH$)/.test(k)));
  const [first, ...rest] = mcpServerArgv();
  const config = join(root, 'mcp.json');
  await writeFile(config, JSON.stringify({ mcpServers: { baton: { command: process.execPath, args: [first!, ...rest], env: serverEnv } } }));

  const child = spawn(
    join(BIN_DIR, 'claude'),
    ['-p', '--output-format', 'stream-json', '--verbose', '--mcp-config', config, '--strict-mcp-config', '--allowedTools', 'mcp__baton__*', '--model', SCRIPTED_CLAUDE_MODEL, '--', 'Use Baton to run the inner task and report.'],
    { cwd: world.repo, env: { ...world.env, ...claude.env, ENABLE_TOOL_SEARCH: 'false' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const timer = setTimeout(() => child.kill('SIGKILL'), 55_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  assert.equal(code, 0, `claude exited ${code}: ${stderr.slice(-2000)}\n${stdout.slice(-3000)}`);

  const events = stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line));
  const blocks: Block[] = events.flatMap((e) => (Array.isArray(e.message?.content) ? (e.message.content as Block[]) : []));
  const uses = blocks.filter((b) => b.type === 'tool_use');
  assert.deepEqual(uses.map((b) => b.name), ['mcp__baton__run', 'mcp__baton__wait', 'mcp__baton__wait']);
  const resultOf = (use: Block) => {
    const result = blocks.find((b) => b.type === 'tool_result' && b.tool_use_id === use.id);
    assert.ok(result, `Claude Code got a result for ${use.name}`);
    assert.ok(!result.is_error, `${use.name} succeeded: ${blockText(result.content)}`);
    return blockText(result.content);
  };

  // What Baton itself says about the inner run, through the CLI.
  const listed = await runCli(['status', 'inner', '--json'], world.env);
  const inner = listed.json;
  assert.equal(inner.state, 'completed', JSON.stringify(inner.reasons));
  assert.ok(existsSync(join(world.repo, 'inner.txt')), 'the inner agent really ran');

  // Claude Code 2.1 shows the model the structured content (JSON) when a tool returns one, the text otherwise.
  const launched = JSON.parse(resultOf(uses[0]!));
  assert.equal(launched.id, inner.id);
  const look = resultOf(uses[1]!);
  assert.match(look, new RegExp(`^not done: ${inner.id} running`));
  assert.ok(look.length < 100, `a look that is not done costs a line: ${look}`);
  const end = JSON.parse(resultOf(uses[2]!));
  assert.equal(end.done, true);
  const reported = end.runs[0];
  for (const field of ['id', 'state', 'sessionId', 'exitCode'] as const) assert.deepEqual(reported[field], inner[field], field);
  assert.deepEqual(reported.filesChanged, ['inner.txt']);
  assert.equal(reported.finalMessage, inner.finalMessage);
  assert.match(reported.next, /diff/);

  // The model behind Claude Code received those results, and each fact once: the end report is not
  // also sent as text.
  const requests = outer.requests();
  const toolResults = (requests.at(-1)?.body as { messages: { content: unknown }[] }).messages.flatMap((m) => (Array.isArray(m.content) ? (m.content as Block[]) : [])).filter((b) => b.type === 'tool_result');
  assert.equal(toolResults.length, 3);
  const seen = toolResults.map((b) => blockText(b.content));
  assert.equal(seen[1], look);
  assert.equal(seen[2]!.split(inner.sessionId).length - 1, 1, `the session id reached the model once: ${seen[2]}`);
  const charsSeen = seen.reduce((sum, text) => sum + text.length, 0);
  assert.ok(charsSeen < 700, `the whole sequence cost the model ${charsSeen} chars: ${JSON.stringify(seen)}`);
  const finalResult = events.find((e) => e.type === 'result');
  assert.equal(finalResult?.is_error, false);
});
