import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { Baton } from '../baton.js';
import { packageVersion } from '../package-root.js';
import { registerPlanTools } from './tools/plans.js';
import { registerPromptTools } from './tools/prompts.js';
import { registerRunTools } from './tools/runs.js';

const INSTRUCTIONS = `Baton launches coding agents in the background and supervises them.
Workflow: run (returns an id at once) → wait (blocks at most ~45 s; call again while done is false) → status (the brief: state, reasons, files, final message).
An incomplete run: resume continues the same agent session with a follow-up Baton writes. A stuck one: kill.
Prefer status over tail: it costs a few hundred tokens whatever the log size. Runs outlive this server.`;

/** The MCP server over a Baton library instance: every tool is a thin shell over one Baton method. */
export function createBatonMcpServer(baton: Baton): McpServer {
  const server = new McpServer({ name: 'baton', version: packageVersion() }, { instructions: INSTRUCTIONS, capabilities: { tools: {} } });
  registerRunTools(server, baton);
  registerPlanTools(server, baton);
  registerPromptTools(server, baton);
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
  const transport = new StdioServerTransport(stdin, (options.stdout ?? process.stdout) as NodeJS.WriteStream);
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
