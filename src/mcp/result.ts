import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { BatonError } from '../errors.js';
import { makeStyle } from '../cli/style.js';

/** Briefs in tool results are plain text: a model reads them, not a terminal. */
export const plain = makeStyle(false);

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

/**
 * Runs a tool body and turns anything it throws into a tool error (isError), so a bad id or a missing
 * dir reaches the model as a message it can act on, and the server keeps serving.
 */
/** The library speaks in CLI flags; a tool's caller knows the input fields. */
const FIELD_OF_FLAG: Record<string, string> = {
  '--dir': 'dir',
  '--prompt-file': 'promptFile',
  '--runner-option': 'runnerOptions',
  '--stall-after': 'stallAfterSeconds',
  '--timeout': 'timeoutSeconds',
  '--from': 'from',
  '--only': 'only',
  '--no-lint': 'noLint',
  '--no-lock': 'noLock',
  '--allow-detached': 'allowDetached',
  '--on-complete/--on-blocked': 'onComplete/onBlocked',
};

export function inFieldTerms(message: string): string {
  return message.replace(/--[a-z]+(?:-[a-z]+)*(?:\/--[a-z-]+)?/g, (flag) => FIELD_OF_FLAG[flag] ?? flag);
}

export async function guarded(tool: string, body: () => Promise<CallToolResult> | CallToolResult): Promise<CallToolResult> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof BatonError) return toolError(`${tool}: ${error.kind === 'usage' ? 'invalid input' : error.kind}: ${inFieldTerms(error.message)}`);
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`baton mcp: ${tool} failed: ${error instanceof Error && error.stack ? error.stack : message}\n`);
    return toolError(`${tool}: ${message}`);
  }
}
