import type { ParseArgsConfig } from 'node:util';
import type { Baton } from '../baton.js';
import type { Style } from './style.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** What a command hands back to bin/: the exit code and what to print. Commands never print or exit themselves, except streaming ones through `io`. */
export interface CommandResult {
  exitCode: number;
  /** The one JSON document printed with --json. */
  json?: unknown;
  /** Human text printed without --json. */
  text?: string;
}

export interface CommandIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** Colours for stdout text. */
  style: Style;
  /** Colours for progress on stderr. */
  errStyle: Style;
  json: boolean;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
}

export interface ParsedArgs {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

export interface Command {
  name: string;
  summary: string;
  /** Full --help text: usage line, options, examples. */
  help: string;
  options: OptionSpec;
  /** Whether the command takes positionals at all. */
  allowPositionals: boolean;
  run(args: ParsedArgs, io: CommandIo, baton: () => Baton): Promise<CommandResult>;
}

/** Resolves when a serving command should stop: Ctrl-C (the io signal) or SIGTERM. */
export function untilStopped(signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
    process.once('SIGTERM', () => resolve());
  });
}
