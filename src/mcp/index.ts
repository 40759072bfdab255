/**
 * `baton/mcp`: the MCP server and the Claude Code set-up that points at it. Kept out of the library
 * entry so that `import { Baton } from 'baton'` does not load the MCP SDK.
 */
export { createBatonMcpServer, runStdioServer } from './server.js';
export { initClaude, MCP_CONFIG_FILE, MCP_SERVER_NAME } from '../integrations/claude-init.js';
export type { InitClaudeOptions, InitResult, InitChange, InitAction } from '../integrations/claude-init.js';
