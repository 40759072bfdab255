/**
 * Entry point equal to `baton mcp`, for clients configured with a script path rather than the CLI,
 * and for the tests while the CLI table does not list `mcp` yet.
 */
import { runStdioServer } from './server.js';

await runStdioServer();
