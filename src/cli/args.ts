import { usageError } from '../errors.js';
import type { OptionSpec, ParsedArgs } from './command.js';

export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const value = args.values[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw usageError(`--${name} needs a value`);
  return value;
}

export function flag(args: ParsedArgs, name: string): boolean {
  return args.values[name] === true;
}

/** Without a fallback, the option must have a value: given, or its definition's default. */
export function integerOption(args: ParsedArgs, name: string, fallback?: number): number {
  const value = stringOption(args, name);
  if (value === undefined) {
    if (fallback === undefined) throw new Error(`--${name} has neither a value nor a default`);
    return fallback;
  }
  if (!/^\d+$/.test(value)) throw usageError(`--${name} must be a whole number, got "${value}"`);
  return Number(value);
}

/** The positionals, checked: the first `refs` of them (all, by default) are run ids or names. */
export function requireIds(args: ParsedArgs, command: string, max = Infinity, refs = max): string[] {
  if (args.positionals.length === 0) throw usageError(`baton ${command} needs a run id (see baton list)`);
  if (args.positionals.length > max) throw usageError(`baton ${command} takes ${max === 1 ? 'one run id' : `at most ${max} run ids`}`);
  checkRefs(args.positionals.slice(0, refs));
  return args.positionals;
}

/** Longer than any id or --name label Baton hands out; a longer one is a mistake (a prompt pasted as an id). */
export const MAX_REF_CHARS = 1_000;

/** Run ids, prefixes or names as typed: refused before they reach the store, where a huge one fails as "pattern too complex". */
export function checkRefs(refs: string[]): string[] {
  for (const ref of refs) {
    if (ref.length > MAX_REF_CHARS) throw usageError(`a run id or name is at most ${MAX_REF_CHARS} characters; got one of ${ref.length}`);
  }
  return refs;
}

/**
 * parseArgs refuses `--timeout -1` as "ambiguous" (the value looks like an option), a message that
 * names neither the flag nor what is allowed. A dash-number after an option that takes a value is
 * that option's value: joining it as `--timeout=-1` lets the option's own check say what is wrong.
 */
export function joinDashValues(argv: readonly string[], options: OptionSpec): string[] {
  const byShort = new Map(Object.entries(options).flatMap(([name, spec]) => (spec.short ? [[spec.short, name] as const] : [])));
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    const next = argv[i + 1];
    const name = /^--[^=]+$/.test(token) ? token.slice(2) : /^-[^-]$/.test(token) ? byShort.get(token.slice(1)) : undefined;
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && /^-\.?\d/.test(next)) {
      out.push(`--${name}=${next}`);
      i++;
    } else if (token === '--') {
      out.push(...argv.slice(i));
      break;
    } else out.push(token);
  }
  return out;
}
