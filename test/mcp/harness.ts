/**
 * A real `baton mcp` child process, its SDK client, and a scripted model that the agents it launches
 * talk to (opencode, the fastest runner), in a temp git repo with a private BATON_HOME.
 */
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { parseScript, startMockModel, type MockModel, type ScriptInput } from '../../src/mock-model/index.js';
import { makeGitRepo, makeTempDir } from '../mock-model/agent-harness.js';
import { API_KEY } from '../contract/harness.js';
import { opencodeHarness } from '../contract/harnesses/opencode-family.js';
import { BATON_BIN, runCli } from '../e2e/harness.js';

const MCP_MAIN = fileURLToPath(new URL('../../src/mcp/main.js', import.meta.url));
const CLI_MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

/**
 * `node bin/baton.js mcp` once the CLI table lists the command; until then the same server through
 * its own entry point (dist/src/mcp/main.js), so these tests run either way.
 */
export function mcpServerArgv(): string[] {
  return readFileSync(CLI_MAIN, 'utf8').includes('commands/mcp.js') ? [BATON_BIN, 'mcp'] : [MCP_MAIN];
}

export interface McpSession {
  mock: MockModel;
  repo: string;
  home: string;
  /** Environment of the server (and so of the agents it launches). */
  env: Record<string, string>;
  /** `--model` for opencode against the mock. */
  model: string;
  client: Client;
  stderr(): string;
  call(name: string, args: Record<string, unknown>, options?: { onprogress?: (p: { progress: number; message?: string }) => void }): Promise<CallToolResult & { structuredContent?: any }>;
}

/** A scripted model, a repo, a BATON_HOME and everything opencode needs; torn down after the test. */
export async function prepareAgentWorld(t: TestContext, script: ScriptInput): Promise<Omit<McpSession, 'client' | 'call' | 'stderr'>> {
  const mock = await startMockModel({ script: parseScript(script), apiKey: API_KEY });
  const repo = await makeGitRepo();
  const root = await makeTempDir('baton-mcp-');
  const home = join(root, 'baton-home');
  const prepared = await opencodeHarness.prepare(mock, join(root, 'agent'));
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...prepared.env, BATON_HOME: home, NO_COLOR: '1' })) if (v !== undefined) env[k] = v;
  delete env.FORCE_COLOR;
  const model = prepared.runArgs[prepared.runArgs.indexOf('--model') + 1]!;
  t.after(async () => {
    const list = await runCli(['list', '--json', '--state', 'running,stalled'], env, 30_000);
    for (const run of (list.json ?? []) as { id: string }[]) await runCli(['kill', run.id, '--grace', '1s'], env, 30_000);
    await mock.close();
    if (!process.env.BATON_KEEP_TEST_DIRS) await Promise.all([rm(repo, { recursive: true, force: true }), rm(root, { recursive: true, force: true })]);
  });
  return { mock, repo, home, env, model };
}

export async function startMcpSession(t: TestContext, script: ScriptInput): Promise<McpSession> {
  const world = await prepareAgentWorld(t, script);
  const [command, ...args] = [process.execPath, ...mcpServerArgv()];
  const transport = new StdioClientTransport({ command: command!, args, env: world.env, cwd: world.repo, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const client = new Client({ name: 'baton-mcp-test', version: '1.0.0' });
  await client.connect(transport);
  t.after(() => client.close());
  return {
    ...world,
    client,
    stderr: () => stderr,
    call: async (name, callArgs, options = {}) =>
      (await client.callTool({ name, arguments: callArgs }, undefined, { timeout: 60_000, ...(options.onprogress && { onprogress: options.onprogress }) })) as CallToolResult & { structuredContent?: any },
  };
}

export const textOf = (result: CallToolResult) => result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');

/** Calls wait with a short bound until done; returns the final result and how many calls it took. */
export async function waitUntilDone(session: McpSession, ids: string[], timeoutSeconds = 5, maxCalls = 12) {
  const progress: { progress: number; message?: string }[] = [];
  for (let calls = 1; calls <= maxCalls; calls++) {
    const result = await session.call('wait', { ids, timeoutSeconds }, { onprogress: (p) => progress.push(p) });
    if (result.isError) throw new Error(`wait failed: ${textOf(result)}`);
    if (result.structuredContent.done) return { result, calls, progress };
  }
  throw new Error(`runs ${ids.join(', ')} still going after ${maxCalls} waits`);
}

/** The phase-prompt shape Baton reads files and verification back from. */
export { phasePrompt } from '../e2e/harness.js';
