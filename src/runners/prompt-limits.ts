import { usageError } from '../errors.js';
import { ARGV_PROMPT_LIMIT } from './runner-options.js';
import { stdinRunnersText } from './registry.js';
import type { RunnerAdapter, RunnerOptions } from './types.js';

/**
 * Refuses, before anything is recorded or started, a prompt the runner's CLI could not be given:
 * one with a NUL byte (no argument, and no C string, can hold one; Node's spawn would throw) and,
 * for runners that take it only as an argument, one too long for an argument (Linux MAX_ARG_STRLEN,
 * 128 KiB; Baton keeps a margin under it).
 */
/**
 * Linux's ARG_MAX with the default 8 MiB stack (a quarter of it): argv and environment together must
 * fit. Baton's own argv besides the prompt is small; this margin covers it.
 */
const ARG_MAX_BYTES = 2 * 1024 * 1024;
const OTHER_ARGS_MARGIN = 64 * 1024;

function environmentBytes(env: NodeJS.ProcessEnv): number {
  let bytes = 0;
  for (const [key, value] of Object.entries(env)) if (value !== undefined) bytes += Buffer.byteLength(key) + Buffer.byteLength(value) + 2;
  return bytes;
}

export function checkPrompt(runner: RunnerAdapter, options: RunnerOptions, prompt: string, env: NodeJS.ProcessEnv = {}): void {
  const nul = prompt.indexOf('\0');
  if (nul !== -1) {
    throw usageError(`the prompt contains a NUL byte (at character ${nul + 1}); agent CLIs cannot be given one, so remove it (is the prompt file binary?)`);
  }
  if (runner.promptRoute(options) !== 'argv') return;
  const bytes = Buffer.byteLength(prompt);
  if (bytes > ARGV_PROMPT_LIMIT) {
    throw usageError(
      `the prompt is ${bytes} bytes; runner ${runner.name} takes it only as a command-line argument, limited to ${ARGV_PROMPT_LIMIT} bytes ` +
        `(Linux allows 128 KiB per argument). Shorten it, point the prompt at a file to read, or use a runner that reads it from stdin ` +
        `(${stdinRunnersText()})`,
    );
  }
  const envBytes = environmentBytes(env);
  if (bytes + envBytes + OTHER_ARGS_MARGIN > ARG_MAX_BYTES) {
    throw usageError(
      `the prompt (${bytes} bytes) and the environment (${envBytes} bytes) exceed what Linux lets a command start with (ARG_MAX, ${ARG_MAX_BYTES} bytes); ` +
        `shorten the prompt or the environment, or use a runner that reads the prompt from stdin`,
    );
  }
}
