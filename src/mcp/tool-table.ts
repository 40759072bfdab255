import type { McpServer, ToolCallback } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ListToolsRequestSchema, type Tool, type ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

/** JSON Schema keywords left out of tools/list: the bounds are enforced on input, with a message naming the field. */
const UNLISTED_KEYS = new Set(['$schema', 'minLength', 'maxLength', 'maxItems', 'minItems']);

function listedSchema(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(listedSchema);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => !UNLISTED_KEYS.has(key)).map(([key, v]) => [key, key === 'properties' ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, listedSchema(s)])) : listedSchema(v)]));
}

/**
 * The server's tools, registered with the SDK (which validates input and dispatches calls) and listed
 * by Baton itself. Every session carries tools/list in its context from the first turn; the SDK's
 * own listing adds a $schema URL, an execution block and every bound to each tool (about a third of
 * the listing), so Baton lists name, one-line description, the input fields and annotations only.
 */
export class ToolTable {
  private readonly listed: Tool[] = [];

  constructor(private readonly server: McpServer) {}

  register<Schema extends z.ZodObject>(name: string, config: { description: string; inputSchema: Schema; annotations?: ToolAnnotations }, handler: ToolCallback<Schema>): void {
    this.server.registerTool(name, config, handler);
    this.listed.push({
      name,
      description: config.description,
      inputSchema: listedSchema(z.toJSONSchema(config.inputSchema, { io: 'input' })) as Tool['inputSchema'],
      ...(config.annotations && { annotations: config.annotations }),
    });
  }

  /** Replaces the SDK's tools/list handler; call once every tool is registered. */
  serveList(): void {
    this.server.server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: this.listed }));
  }
}
