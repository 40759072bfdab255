import { Baton } from '../baton.js';
import { BatonError, renderError } from '../errors.js';
import { CLI_FIELDS } from './fields.js';
import { packageVersion } from '../package-root.js';
import type { CommandIo, CommandResult } from './command.js';
import { loadAllCommands, loadCommand } from './commands/index.js';
import { parseCommandArgs } from './parse.js';
import { colourEnabled, makeStyle } from './style.js';
import { terminalSafe } from '../text.js';
import { batonHome, explainStoreFault } from '../store/index.js';

async function mainHelp(): Promise<string> {
  const commands = await loadAllCommands();
  const width = Math.max(...commands.map((c) => c.name.length));
  return `baton — launch, supervise and inspect background AI coding agents

Usage: baton <command> [options]      baton <command> --help for details

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Every command takes --json (one JSON document on stdout, nothing else there).
Exit codes: 0 ok/completed · 1 failed, killed or error · 2 usage error · 3 incomplete (plan: blocked)
            4 limited (usage limit) · 124 wait timed out

A typical loop:
  id=$(baton run --json --agent hephaestus --dir . --prompt-file phase5.txt | jq -r .id)
  baton wait "$id"; baton status "$id"      # incomplete? → baton resume "$id"
Try it without an API key: baton demo`;
}

export interface MainIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

function writeJson(stream: NodeJS.WriteStream, value: unknown): void {
  stream.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Parses argv, runs one command and returns the process exit code. Only bin/ exits. */
export async function main(argv: string[], io: MainIo): Promise<number> {
  const [name, ...rest] = argv;
  const wantsJson = rest.includes('--json');
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    const command = topic !== undefined ? await loadCommand(topic) : undefined;
    if (command) {
      io.stdout.write(`${command.help}\n`);
      return 0;
    }
    io.stdout.write(`${await mainHelp()}\n`);
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    if (wantsJson) writeJson(io.stdout, { version: packageVersion() });
    else io.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  const loading = loadCommand(name);
  if (!loading) {
    const message = `unknown command "${name}"; run baton --help for the list`;
    if (wantsJson) writeJson(io.stdout, { error: { kind: 'usage', message } });
    io.stderr.write(`baton: ${message}\n`);
    return 2;
  }
  const command = await loading;
  let baton: Baton | undefined;
  try {
    const parsed = parseCommandArgs(command.definition, rest);
    if (parsed.values.help) {
      io.stdout.write(`${command.help}\n`);
      return 0;
    }
    const json = parsed.values.json === true;
    const commandIo: CommandIo = {
      stdout: io.stdout,
      stderr: io.stderr,
      style: makeStyle(!json && colourEnabled(io.stdout, io.env)),
      errStyle: makeStyle(colourEnabled(io.stderr, io.env)),
      json,
      env: io.env,
      signal: io.signal ?? new AbortController().signal,
    };
    const result: CommandResult = await command.run(
      parsed,
      commandIo,
      () => (baton ??= new Baton({ env: io.env })),
    );
    if (json && result.json !== undefined) writeJson(io.stdout, result.json);
    // The last net: whatever a renderer let through, only Baton's own colours reach the terminal (tail --raw excepted).
    else if (!json && result.text !== undefined) io.stdout.write(`${(parsed.values as Record<string, unknown>).raw === true ? result.text : terminalSafe(result.text)}\n`);
    return result.exitCode;
  } catch (thrown) {
    const error = explainStoreFault(thrown, batonHome(io.env));
    const isUsage = (error instanceof BatonError && (error.kind === 'usage' || error.kind === 'not-found')) || isParseArgsError(error);
    const message = error instanceof BatonError ? renderError(error, CLI_FIELDS) : error instanceof Error ? error.message : String(error);
    const kind = error instanceof BatonError ? error.kind : isUsage ? 'usage' : 'runtime';
    const field = error instanceof BatonError ? error.field : undefined;
    if (wantsJson) writeJson(io.stdout, { error: { kind, ...(field && { field }), message } });
    io.stderr.write(`baton ${name}: ${terminalSafe(message)}\n`);
    if (isUsage) io.stderr.write(`(baton ${name} --help shows usage)\n`);
    else if (!(error instanceof BatonError) && error instanceof Error && error.stack && io.env.BATON_DEBUG) io.stderr.write(`${error.stack}\n`);
    return isUsage ? 2 : 1;
  } finally {
    baton?.close();
  }
}

function isParseArgsError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}
