/**
 * A real `baton mcp` child process, its SDK client, and a scripted model that the agents it launches
 * talk to (opencode, the fastest runner), in a temp git repo with a private BATON_HOME.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
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
import { BATON_BIN, killActiveRuns, runCli } from '../e2e/harness.js';
import { cleanupStack, removeTestDir } from '../cleanup.js';

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
export async function prepareAgentWorld(t: TestContext, script: ScriptInput, defer = cleanupStack(t)): Promise<Omit<McpSession, 'client' | 'call' | 'stderr'>> {
  const mock = await startMockModel({ script: parseScript(script), apiKey: API_KEY });
  defer(() => mock.close());
  const repo = await makeGitRepo();
  defer(() => removeTestDir(repo));
  const root = await makeTempDir('baton-mcp-');
  defer(() => removeTestDir(root));
  const home = join(root, 'baton-home');
  const prepared = await opencodeHarness.prepare(mock, join(root, 'agent'));
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...prepared.env, BATON_HOME: home, NO_COLOR: '1' })) if (v !== undefined) env[k] = v;
  delete env.FORCE_COLOR;
  const model = prepared.runArgs[prepared.runArgs.indexOf('--model') + 1]!;
  defer(() => killActiveRuns(env));
  return { mock, repo, home, env, model };
}

export async function startMcpSession(t: TestContext, script: ScriptInput): Promise<McpSession> {
  const defer = cleanupStack(t);
  const world = await prepareAgentWorld(t, script, defer);
  return { ...world, ...(await connectMcpServer(defer, world.env, world.repo)) };
}

/** A real `baton mcp` child in `env`, started in `cwd`, and its SDK client; closed before what `defer` tore down earlier. */
export async function connectMcpServer(defer: (undo: () => unknown) => void, env: Record<string, string>, cwd: string): Promise<Pick<McpSession, 'client' | 'call' | 'stderr'>> {
  const [command, ...args] = [process.execPath, ...mcpServerArgv()];
  const transport = new StdioClientTransport({ command: command!, args, env, cwd, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  // Closed before the world it runs in is torn down, and even when connecting fails.
  defer(() => transport.close());
  const client = new Client({ name: 'baton-mcp-test', version: '1.0.0' });
  await client.connect(transport);
  return {
    client,
    stderr: () => stderr,
    call: async (name, callArgs, options = {}) =>
      (await client.callTool({ name, arguments: callArgs }, undefined, { timeout: 60_000, ...(options.onprogress && { onprogress: options.onprogress }) })) as CallToolResult & { structuredContent?: any },
  };
}

export const textOf = (result: CallToolResult) => result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');

/** What a lead reads of a tool result: its text and its structured content. */
export const resultChars = (result: CallToolResult) => textOf(result).length + (result.structuredContent ? JSON.stringify(result.structuredContent).length : 0);

/**
 * Calls wait with a short bound until done; returns the final result (the end report), how many calls
 * it took and the answers that were not done yet.
 */
export async function waitUntilDone(session: Pick<McpSession, 'call'>, ids: string[], timeoutSeconds = 5, maxCalls = Math.ceil(240 / timeoutSeconds)) {
  const progress: { progress: number; message?: string }[] = [];
  const notDone: CallToolResult[] = [];
  for (let calls = 1; calls <= maxCalls; calls++) {
    const result = await session.call('wait', { ids, timeoutSeconds }, { onprogress: (p) => progress.push(p) });
    if (result.isError) throw new Error(`wait failed: ${textOf(result)}`);
    if (result.structuredContent?.done === true) return { result, calls, progress, notDone };
    notDone.push(result);
  }
  throw new Error(`runs ${ids.join(', ')} still going after ${maxCalls} waits`);
}

/** The phase-prompt shape Baton reads files and verification back from. */
export { phasePrompt } from '../e2e/harness.js';

/**
 * A `baton mcp` child read byte by byte rather than through the SDK's transport (which would skip a
 * bad line): send raw lines, await the answer to an id, see every line it wrote.
 */
export interface RawMcp {
  child: ChildProcessWithoutNullStreams;
  send(message: object): void;
  sendLine(line: string): void;
  response(id: number | string, timeoutMs?: number): Promise<any>;
  /** Every line the server wrote to stdout so far, parsed. */
  messages(): any[];
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
  initialize(): Promise<void>;
}

export function startRawMcp(t: TestContext, env: Record<string, string>, cwd: string): RawMcp {
  const child = spawn(process.execPath, mcpServerArgv(), { env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  // A write after the server closed stdin is the test's business, not an unhandled error.
  child.stdin.on('error', () => undefined);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  t.after(() => child.kill('SIGKILL'));
  const messages = () =>
    stdout
      .split('\n')
      .slice(0, -1)
      .map((line) => JSON.parse(line));
  const raw: RawMcp = {
    child,
    send: (message) => child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`),
    sendLine: (line) => child.stdin.write(`${line}\n`),
    messages,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    async response(id, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const found = messages().find((m) => m.id === id && (m.result !== undefined || m.error !== undefined));
        if (found) return found;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`no response to ${id}; stderr: ${stderr.slice(-2000)}`);
    },
    async initialize() {
      raw.send({ id: 'init', method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
      await raw.response('init');
      raw.send({ method: 'notifications/initialized' });
    },
  };
  return raw;
}

/** A private, empty BATON_HOME and a directory to work in, for tests that need no agent or model. */
export async function emptyWorld(t: TestContext): Promise<{ root: string; env: Record<string, string> }> {
  const root = await makeTempDir('baton-mcp-');
  t.after(() => rm(root, { recursive: true, force: true }));
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, BATON_HOME: join(root, 'home'), NO_COLOR: '1' })) if (v !== undefined) env[k] = v;
  return { root, env };
}
