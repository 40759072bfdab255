// Phrases of provider errors as opencode passes them on (OpenAI-style bodies, AI SDK error names, opencode's
// own provider errors). Deliberately not "server error" alone: opencode's local server says "Unexpected
// server error" for its own failures.
const API_ERROR_PATTERN = new RegExp(
  [
    'APIError', 'APICallError', 'ProviderAuthError', 'ProviderModelNotFound', 'ContextOverflow',
    'rate.?limit', 'too many requests', 'overloaded', 'resource.?exhausted', 'provider returned error',
    'internal server error', 'server_error', 'server had an error', 'service.?unavailable', 'bad gateway',
    'gateway time-?out', 'upstream', 'model not found', 'model_not_found', 'does not exist or you do not have access',
    'insufficient.?quota', 'exceeded your (?:current )?quota', 'invalid.?api.?key', 'incorrect api key',
    'unauthori[sz]ed', 'context.?length', 'maximum context', 'JSON parsing failed', 'Invalid JSON response',
    'No output generated',
  ].join('|'),
  'i',
);
const STATUS_PATTERN = /\b(?:status(?:\s*code)?|HTTP(?:\/\d(?:\.\d)?)?|"statusCode")\s*[:=]?\s*([1-5]\d\d)\b/i;
const LEADING_STATUS_PATTERN = /^([45]\d\d)\b/;

/**
 * Whether an error message is the model provider's (HTTP errors, rate limits, unknown models, broken
 * streams) rather than the agent's own, and the HTTP status when the text shows one.
 */
export function classifyErrorText(message: string): { api: boolean; status?: number } {
  const head = message.length > 4_000 ? message.slice(0, 4_000) : message;
  const match = STATUS_PATTERN.exec(head) ?? LEADING_STATUS_PATTERN.exec(head);
  const status = match?.[1] !== undefined ? Number(match[1]) : undefined;
  const api = API_ERROR_PATTERN.test(head) || (status !== undefined && status >= 400);
  return status !== undefined ? { api, status } : { api };
}
