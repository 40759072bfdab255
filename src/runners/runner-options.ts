import { usageError } from '../errors.js';
import type { RunnerOptions } from './types.js';

/**
 * Prompts longer than this (bytes) go on stdin: one argv element may not exceed 128 KiB on Linux
 * (MAX_ARG_STRLEN).
 */
export const ARGV_PROMPT_LIMIT = 100_000;

/** A repeatable option's values, blanks dropped. */
export function optionList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter((item) => item.trim() !== '');
}

/** An option that takes one value; given twice, it is a usage error. */
export function singleOption(options: RunnerOptions, name: string): string | undefined {
  const value = options[name];
  if (value === undefined) return undefined;
  if (Array.isArray(value)) {
    if (value.length !== 1) throw usageError(`${name} takes one value, got ${value.length}`);
    return value[0];
  }
  return value;
}
