import {
  CallToolRequestSchema,
  InitializeRequestSchema,
  ListToolsRequestSchema,
  PingRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';

/** JSON-RPC 2.0 error codes the server answers bad input with. */
export const RPC = { parseError: -32700, invalidRequest: -32600, methodNotFound: -32601, invalidParams: -32602 } as const;

export function rpcError(id: string | number | null, code: number, message: string) {
  return { jsonrpc: '2.0' as const, id, error: { code, message } };
}

/**
 * The requests this server answers, by method. Their params are checked here so that a malformed one
 * gets -32602 naming the field; the SDK would throw its own parse error, which goes out as -32603
 * with the whole zod issue list.
 */
const REQUEST_SCHEMAS = {
  initialize: InitializeRequestSchema,
  ping: PingRequestSchema,
  'tools/list': ListToolsRequestSchema,
  'tools/call': CallToolRequestSchema,
} as const;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const validId = (id: unknown): id is string | number => typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id));

function fieldPath(path: readonly PropertyKey[]): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`)).join('') || 'params';
}

/**
 * What to answer a parsed line with before it reaches the protocol: an error response, 'silent' for a
 * bad notification (JSON-RPC never answers one), or null to let it through.
 */
export function checkRequest(json: unknown): ReturnType<typeof rpcError> | 'silent' | null {
  if (Array.isArray(json)) return rpcError(null, RPC.invalidRequest, 'invalid request: batches are not supported; send one JSON-RPC message per line');
  if (!isObject(json)) return rpcError(null, RPC.invalidRequest, 'invalid request: expected a JSON-RPC 2.0 object');
  const hasId = 'id' in json;
  const id = validId(json.id) ? json.id : null;
  if (json.jsonrpc !== '2.0') return hasId ? rpcError(id, RPC.invalidRequest, 'invalid request: jsonrpc must be "2.0"') : 'silent';
  // A response to one of the server's own requests (none today) goes to the protocol.
  if (!('method' in json) && hasId && ('result' in json || 'error' in json)) return null;
  if (typeof json.method !== 'string') return rpcError(id, RPC.invalidRequest, 'invalid request: method must be a string');
  if (!hasId) return json.params !== undefined && !isObject(json.params) ? 'silent' : null;
  if (!validId(json.id)) return rpcError(null, RPC.invalidRequest, 'invalid request: id must be a string or a number');
  if (json.params !== undefined && !isObject(json.params)) return rpcError(id, RPC.invalidParams, 'invalid params: params must be an object');
  const schema = REQUEST_SCHEMAS[json.method as keyof typeof REQUEST_SCHEMAS];
  if (!schema) return null;
  if (json.method === 'tools/call' && isObject(json.params) && json.params.arguments !== undefined && !isObject(json.params.arguments)) {
    return rpcError(id, RPC.invalidParams, `invalid params: params.arguments must be an object of the tool's fields, got ${Array.isArray(json.params.arguments) ? 'an array' : typeof json.params.arguments}`);
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return null;
  const issue = parsed.error.issues[0]!;
  return rpcError(id, RPC.invalidParams, `invalid params: ${fieldPath(issue.path)}: ${issue.message}`);
}
