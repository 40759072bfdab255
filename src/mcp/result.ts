import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { BatonError, renderError, type FieldNames } from '../errors.js';

/** Briefs in tool results are plain text: a model reads them, not a terminal. */
export { plainStyle as plain } from '../present/brief.js';

/**
 * A tool result: a short text a model reads, and the same facts as structured content. Claude Code
 * (2.1) hands the model the structured content instead of the text when there is one, so structured
 * content must be as bounded as the text.
 */
export function toolResult(text: string, structured: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text }], structuredContent: structured };
}

/** A result that is text alone: what a client shows its model when there is no structured content. */
export function textResult(text: string): CallToolResult {
  return { content: [{ type: 'text', text }] };
}

export function toolError(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}

/** The library's inputs as the tools' parameters: a tool's caller knows those, not CLI flags. */
const MCP_FIELDS: FieldNames = {
  name: {
    dir: 'dir',
    prompt: 'prompt',
    promptFile: 'promptFile',
    runner: 'runner',
    runnerOptions: 'runnerOptions',
    stallAfter: 'stallAfterSeconds',
    timeout: 'timeoutSeconds',
    maxCost: 'maxCost',
    lock: 'noLock',
    lint: 'noLint',
    detached: 'allowDetached',
    from: 'from',
    only: 'only',
    onComplete: 'onComplete',
    onBlocked: 'onBlocked',
    maxParallel: 'maxParallel',
    port: 'port',
    host: 'host',
  },
  setOverride: (field) => `set ${MCP_FIELDS.name[field]}: true`,
};

/**
 * Runs a tool body and turns anything it throws into a tool error (isError), so a bad id or a missing
 * dir reaches the model as a message it can act on, and the server keeps serving.
 */
export async function guarded(tool: string, body: () => Promise<CallToolResult> | CallToolResult): Promise<CallToolResult> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof BatonError) return toolError(`${tool}: ${error.kind === 'usage' ? 'invalid input' : error.kind}: ${renderError(error, MCP_FIELDS)}`);
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`baton mcp: ${tool} failed: ${error instanceof Error && error.stack ? error.stack : message}\n`);
    return toolError(`${tool}: ${message}`);
  }
}
