import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { Baton } from '../baton.js';
import { packageVersion } from '../package-root.js';
import { LineTransport } from './line-transport.js';
import { registerPlanTools } from './tools/plans.js';
import { registerPromptTools } from './tools/prompts.js';
import { registerRunTools } from './tools/runs.js';
import { registerWorkerTools } from './tools/workers.js';
import { ToolTable } from './tool-table.js';

const INSTRUCTIONS = `Baton runs coding agents in the background. Sequence: run (returns an id) → wait (repeat while it answers "not done"; each look costs a line) → act on the end report wait returns (state, reasons, files, session, final message, next move). No status call is needed after it. Incomplete: resume. Stuck: kill. Plans: plan_run → plan_wait.`;

/** The MCP server over a Baton library instance: every tool is a thin shell over one Baton method. */
export function createBatonMcpServer(baton: Baton): McpServer {
  const server = new McpServer({ name: 'baton', version: packageVersion() }, { instructions: INSTRUCTIONS, capabilities: { tools: {} } });
  const tools = new ToolTable(server);
  registerRunTools(tools, baton);
  registerPlanTools(tools, baton);
  registerPromptTools(tools, baton);
  registerWorkerTools(tools, baton);
  tools.serveList();
  return server;
}

/**
 * `baton mcp`: serves on stdin/stdout until stdin closes. Stdout carries JSON-RPC only, so anything
 * that would print there (a stray console.log in a dependency) goes to stderr instead.
 */
export async function runStdioServer(options: { env?: NodeJS.ProcessEnv; stdin?: NodeJS.ReadableStream; stdout?: NodeJS.WritableStream } = {}): Promise<void> {
  for (const method of ['log', 'info', 'debug'] as const) console[method] = (...args: unknown[]) => console.error(...args);
  const baton = new Baton({ env: options.env ?? process.env });
  const server = createBatonMcpServer(baton);
  const stdin = (options.stdin ?? process.stdin) as NodeJS.ReadStream;
  const transport = new LineTransport(stdin, options.stdout ?? process.stdout);
  const closed = new Promise<void>((resolve) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      resolve();
    };
    transport.onclose = finish;
    stdin.once('end', finish);
    stdin.once('close', finish);
  });
  transport.onerror = (error) => process.stderr.write(`baton mcp: ${error.message}\n`);
  await server.connect(transport);
  process.stderr.write(`baton mcp: serving on stdio (BATON_HOME ${baton.home})\n`);
  await closed;
  // Pending tool calls (a wait) are cut short: their runs go on, detached, and the client is gone.
  await server.close().catch(() => undefined);
  // Aborted handlers notice within one wait poll; let them settle before the store closes.
  await new Promise((r) => setTimeout(r, 100));
  baton.close();
}
