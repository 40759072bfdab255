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

/** One option as the parser reads it and --help shows it. */
export interface OptionDefinition {
  /** The long name, without the dashes. */
  name: string;
  short?: string;
  /** The value's name in help (FILE, DUR); an option without one is a flag. */
  value?: string;
  repeatable?: boolean;
  /** Checked by requireOptions, once the command knows its subcommand. */
  required?: boolean;
  /** One line; a `\n` continues it under the same column. */
  description: string;
  /** The value the parser gives an absent option. */
  default?: string;
  /** What an absent option means, in words, where the command or the library decides ("the current directory"). */
  whenAbsent?: string;
  /** For a command with subcommands: the ones that take this option (default: all of them). */
  of?: readonly string[];
}

export interface PositionalDefinition {
  name: string;
  optional?: boolean;
  repeatable?: boolean;
}

export interface SubcommandDefinition {
  name: string;
  positionals: readonly PositionalDefinition[];
}

/**
 * Everything the parser and --help know about a command, written once. --json and --help are
 * every command's and need no entry; `json` says what --json prints.
 */
export interface CommandDefinition {
  name: string;
  /** One line, in baton --help's list of commands. */
  summary: string;
  positionals: readonly PositionalDefinition[];
  subcommands?: readonly SubcommandDefinition[];
  options: readonly OptionDefinition[];
  json: string;
  /** Usage lines where the ones derived from positionals and options would not teach enough. */
  usage?: readonly string[];
  /** Free text between the usage and the options. */
  about?: string;
  /** Free text after the options: formats, examples. */
  more?: string;
}

/** A command as main.ts runs it: its definition, and what the parser and --help derive from it. */
export interface Command {
  definition: CommandDefinition;
  name: string;
  summary: string;
  /** Full --help text, rendered from the definition. */
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
