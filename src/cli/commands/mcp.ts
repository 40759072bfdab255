import { join } from 'node:path';
import { packageRoot } from '../../package-root.js';
import { defineCommand } from '../define.js';

const BATON_BIN_PATH = join(packageRoot(), 'bin', 'baton.js');

export const mcpCommand = defineCommand({
  name: 'mcp',
  summary: 'serve Baton as an MCP server on stdio (for Claude Code and other MCP clients)',
  positionals: [],
  about: `Serves Baton's tools over the Model Context Protocol on stdin/stdout, until stdin closes. Any MCP
client (Claude Code and its Task sub-agents, which have no shell) can then launch, watch and resume
agents for a few hundred tokens per look. Runs outlive the server.

Tools: run, status, wait, tail, list, kill, resume, export, diff, plan_run, plan_wait, plan_status,
plan_resume, prompt_lint, route. The sequence is run → wait → act on the end report: wait blocks at
most 50 s (timeoutSeconds up to 55) and answers one "not done" line when time runs out (call it
again instead of sleeping), or the end report (state, reasons, files, session, final message, next
move) when the runs end, so no status call is needed after it.`,
  options: [],
  json: 'no effect: stdout carries only JSON-RPC',
  more: `Register it in your project's .mcp.json:
  {"mcpServers":{"baton":{"command":"npx","args":["baton","mcp"]}}}
or, without npx, with this installation's absolute path:
  {"mcpServers":{"baton":{"command":"node","args":["${BATON_BIN_PATH}","mcp"]}}}
or from Claude Code's CLI:
  claude mcp add baton -- node ${BATON_BIN_PATH} mcp

Claude Code names the tools mcp__baton__run, mcp__baton__wait, …; allow them with
--allowedTools "mcp__baton__*". The store is $BATON_HOME (default ~/.local/state/baton), shared with
the CLI. Stdout carries only JSON-RPC; diagnostics go to stderr.`,
}, {
  async run() {
    const { runStdioServer } = await import('../../mcp/server.js');
    await runStdioServer();
    return { exitCode: 0 };
  },
});
