import { isDeepStrictEqual } from 'node:util';
import { BatonError } from '../errors.js';
import { findJsonSyntaxError, setJsonValue } from './json-syntax.js';

/** One stdio MCP server entry, as Claude Code reads it from `.mcp.json`. */
export interface McpServerEntry {
  command: string;
  args: string[];
}

export type McpConfigAction = 'created' | 'updated' | 'unchanged';

export interface McpConfigMerge {
  action: McpConfigAction;
  /** The file's new text (equal to the old one when unchanged). */
  text: string;
  /** What happened to the `baton` entry, for a person. */
  note: string;
}

/**
 * Adds (or updates) `mcpServers[name]` in the text of a `.mcp.json`, keeping every other server,
 * every other top-level key, their order and the file's indentation. Keys the user added to an
 * existing entry (env, type, …) are kept; only `command` and `args` are Baton's. `file` only names
 * the file in errors. Throws a conflict BatonError, with line and column, on text that is not a
 * JSON object holding an object `mcpServers`.
 */
export function mergeMcpServer(file: string, existing: string | null, name: string, entry: McpServerEntry): McpConfigMerge {
  const describe = `${entry.command} ${entry.args.join(' ')}`;
  if (existing === null) {
    return { action: 'created', text: `${JSON.stringify({ mcpServers: { [name]: entry } }, null, 2)}\n`, note: `${name} MCP server → ${describe}` };
  }
  const body = existing.replace(/^\uFEFF/, '');
  let config: unknown = {};
  if (body.trim() !== '') {
    try {
      config = JSON.parse(body);
    } catch (error) {
      const where = findJsonSyntaxError(body);
      const at = where ? ` at line ${where.line}, column ${where.column}: ${where.message}` : `: ${(error as Error).message}`;
      throw new BatonError('conflict', `${file} is not valid JSON${at}. Fix it (or move it away) and run again; nothing was changed`);
    }
  }
  if (!isObject(config)) throw new BatonError('conflict', `${file} must hold a JSON object (it holds ${kindOf(config)}); nothing was changed`);
  const servers = config.mcpServers ?? {};
  if (!isObject(servers)) throw new BatonError('conflict', `${file}: "mcpServers" must be an object (it is ${kindOf(servers)}); nothing was changed`);

  const previous = servers[name];
  const merged = isObject(previous) ? { ...previous, command: entry.command, args: entry.args } : entry;
  if (isDeepStrictEqual(previous, merged) && body.trim() !== '') return { action: 'unchanged', text: existing, note: `${name} MCP server already set` };

  // Only Baton's own fields are edited in place, so the user's layout survives and the diff shows just them.
  const text =
    body.trim() === ''
      ? `${JSON.stringify({ mcpServers: { [name]: entry } }, null, 2)}\n`
      : isObject(previous)
        ? setJsonValue(setJsonValue(body, ['mcpServers', name, 'command'], entry.command), ['mcpServers', name, 'args'], entry.args)
        : setJsonValue(body, ['mcpServers', name], entry);
  const note = previous === undefined ? `${name} MCP server added → ${describe}` : `${name} MCP server updated → ${describe} (was ${summarise(previous)})`;
  return { action: 'updated', text, note };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return `a ${typeof value}`;
}

function summarise(entry: unknown): string {
  if (isObject(entry) && typeof entry.command === 'string') {
    const args = Array.isArray(entry.args) ? entry.args.map(String) : [];
    return [entry.command, ...args].join(' ');
  }
  return JSON.stringify(entry);
}
