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
 * wait, then status; Baton launches a real opencode against a second mock. What Claude Code got back
 * must be what Baton reports.
 */
test('a real Claude Code drives Baton over MCP: run → wait → status of an inner opencode run', async (t) => {
  const world = await prepareAgentWorld(t, {
    steps: [{ tools: [{ name: 'write', args: { filePath: '{{workdir}}/inner.txt', content: 'from the inner agent\n' } }] }, { text: 'Done: wrote inner.txt.' }],
  });
  const outer = await startMockModel({
    apiKey: API_KEY,
    script: parseScript({
      steps: [
        { tools: [{ name: 'mcp__baton__run', args: { runner: 'opencode', model: world.model, dir: world.repo, prompt: phasePrompt(['inner.txt']), name: 'inner' } }] },
        { tools: [{ name: 'mcp__baton__wait', args: { ids: ['inner'], timeoutSeconds: 40 } }] },
        { tools: [{ name: 'mcp__baton__status', args: { ids: ['inner'] } }] },
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
  assert.deepEqual(uses.map((b) => b.name), ['mcp__baton__run', 'mcp__baton__wait', 'mcp__baton__status']);
  const resultOf = (name: string) => {
    const use = uses.find((b) => b.name === name)!;
    const result = blocks.find((b) => b.type === 'tool_result' && b.tool_use_id === use.id);
    assert.ok(result, `Claude Code got a result for ${name}`);
    assert.ok(!result.is_error, `${name} succeeded: ${blockText(result.content)}`);
    return blockText(result.content);
  };

  // What Baton itself says about the inner run, through the CLI.
  const listed = await runCli(['status', 'inner', '--json'], world.env);
  const inner = listed.json;
  assert.equal(inner.state, 'completed', JSON.stringify(inner.reasons));
  assert.ok(existsSync(join(world.repo, 'inner.txt')), 'the inner agent really ran');

  // Claude Code 2.1 shows the model the structured content (JSON) when a tool returns one.
  const launched = JSON.parse(resultOf('mcp__baton__run'));
  assert.equal(launched.id, inner.id);
  const waited = JSON.parse(resultOf('mcp__baton__wait'));
  assert.equal(waited.done, true);
  assert.equal(waited.runs[0].state, 'completed');
  const status = JSON.parse(resultOf('mcp__baton__status'));
  const reported = status.runs[0];
  for (const field of ['id', 'state', 'sessionId', 'filesChanged', 'reasons', 'finalMessage', 'exitCode'] as const) assert.deepEqual(reported[field], inner[field], field);
  assert.deepEqual(reported.filesChanged, ['inner.txt']);

  // The model behind Claude Code received those same results.
  const lastRequest = JSON.stringify(outer.requests().at(-1)?.body ?? {});
  assert.ok(lastRequest.includes(inner.sessionId), 'the status result reached the model');
  const finalResult = events.find((e) => e.type === 'result');
  assert.equal(finalResult?.is_error, false);
});
