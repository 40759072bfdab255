/**
 * Errors a caller can act on. `kind` decides the CLI exit code: usage errors (bad input, nothing
 * started) exit 2, everything else 1.
 */
export type BatonErrorKind = 'usage' | 'not-found' | 'conflict' | 'runtime';

/**
 * The library's inputs, in its own words. Each shell names them its own way (the CLI as flags, MCP
 * as tool parameters), so the library's messages name none of them.
 */
export const INPUT_FIELDS = [
  'dir',
  'prompt',
  'promptFile',
  'runner',
  'runnerOptions',
  'maxCost',
  'stallAfter',
  'timeout',
  'lock',
  'lint',
  'detached',
  'from',
  'only',
  'onComplete',
  'onBlocked',
  'maxParallel',
  'port',
  'host',
] as const;
export type InputField = (typeof INPUT_FIELDS)[number];

export interface BatonErrorFields {
  /** The input whose value is wrong: a shell puts its name for it in front of the message. */
  field?: InputField;
  /** The input that would skip the check that failed (e.g. `lock`): a shell says how to set it. */
  override?: InputField;
}

export class BatonError extends Error {
  readonly field: InputField | undefined;
  readonly override: InputField | undefined;

  constructor(
    readonly kind: BatonErrorKind,
    message: string,
    fields: BatonErrorFields = {},
  ) {
    super(message);
    this.name = 'BatonError';
    this.field = fields.field;
    this.override = fields.override;
  }
}

export const usageError = (message: string, fields?: BatonErrorFields) => new BatonError('usage', message, fields);

/** How a shell names the library's inputs: its name for each, and the words that set an override. */
export interface FieldNames {
  name: Record<InputField, string>;
  /** E.g. `pass --no-lock` for the CLI, `set noLock: true` for MCP. */
  setOverride(field: InputField): string;
}

/**
 * An error's message in a shell's words: `NAME: message` when it is about an input, with `(or SET
 * OVERRIDE)` at the end of its first line (before a closing colon) when an input would skip the check.
 */
export function renderError(error: BatonError, names: FieldNames): string {
  const head = error.field ? `${names.name[error.field]}: ` : '';
  if (!error.override) return head + error.message;
  const newline = error.message.indexOf('\n');
  const [first, rest] = newline < 0 ? [error.message, ''] : [error.message.slice(0, newline), error.message.slice(newline)];
  // A first line that introduces a list keeps its colon last.
  const colon = first.endsWith(':') ? ':' : '';
  return `${head}${first.slice(0, first.length - colon.length)} (or ${names.setOverride(error.override)})${colon}${rest}`;
}
