import { parseArgs } from 'node:util';
import { Baton } from '../baton.js';
import { BatonError, renderError } from '../errors.js';
import { CLI_FIELDS } from './fields.js';
import { packageVersion } from '../package-root.js';
import type { Command, CommandIo, CommandResult } from './command.js';
import { colourEnabled, makeStyle } from './style.js';
import { joinDashValues } from './args.js';
import { terminalSafe } from '../text.js';
import { batonHome, explainStoreFault } from '../store/index.js';

type CommandLoader = () => Promise<Command>;

/** Commands load lazily so that `baton status` does not pay for the demo or the model server. */
const COMMANDS: Record<string, { summary: string; load: CommandLoader }> = {
  run: { summary: 'launch an agent in the background; prints its run id at once', load: async () => (await import('./commands/run.js')).runCommand },
  status: { summary: 'brief of runs: state, reasons, session, files, last error, final message', load: async () => (await import('./commands/status.js')).statusCommand },
  wait: { summary: 'block until runs end; exit 0 completed, 3 incomplete, 4 limited, 1 failed/killed, 124 timeout', load: async () => (await import('./commands/wait.js')).waitCommand },
  tail: { summary: 'last lines of a run\'s output (ANSI stripped), -f to follow', load: async () => (await import('./commands/tail.js')).tailCommand },
  list: { summary: 'runs, newest first, filtered by state or dir', load: async () => (await import('./commands/list.js')).listCommand },
  kill: { summary: 'stop a run and every process it started', load: async () => (await import('./commands/kill.js')).killCommand },
  resume: { summary: 'continue a run\'s agent session (follow-up written for you)', load: async () => (await import('./commands/resume.js')).resumeCommand },
  export: { summary: 'the whole agent session as JSON', load: async () => (await import('./commands/export.js')).exportCommand },
  diff: { summary: 'files a run changed since it launched', load: async () => (await import('./commands/diff.js')).diffCommand },
  prompt: { summary: 'write a phase prompt from the proven template, or lint one', load: async () => (await import('./commands/prompt.js')).promptCommand },
  route: { summary: 'suggest the agent (and model) for a task, with the reason', load: async () => (await import('./commands/route.js')).routeCommand },
  plan: { summary: 'multi-phase plans: one agent at a time, verified, one commit per phase', load: async () => (await import('./commands/plan.js')).planCommand },
  init: { summary: 'set a project up for Claude Code: MCP server, skill, slash commands', load: async () => (await import('./commands/init.js')).initCommand },
  ui: { summary: 'a live local dashboard of runs and plans in the browser (127.0.0.1, token)', load: async () => (await import('./commands/ui.js')).uiCommand },
  mcp: { summary: 'serve Baton as an MCP server on stdio (for Claude Code and other MCP clients)', load: async () => (await import('./commands/mcp.js')).mcpCommand },
  'mock-model': { summary: 'serve Baton\'s scripted model (OpenAI, Anthropic, Responses APIs) for tests and demos', load: async () => (await import('./commands/mock-model.js')).mockModelCommand },
  demo: { summary: 'run a real agent against the scripted model in a temp repo (no API key)', load: async () => (await import('./commands/demo.js')).demoCommand },
};

function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  return `baton — launch, supervise and inspect background AI coding agents

Usage: baton <command> [options]      baton <command> --help for details

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`)
  .join('\n')}

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
    if (topic && COMMANDS[topic]) {
      io.stdout.write(`${(await COMMANDS[topic].load()).help}\n`);
      return 0;
    }
    io.stdout.write(`${mainHelp()}\n`);
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    if (wantsJson) writeJson(io.stdout, { version: packageVersion() });
    else io.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    const message = `unknown command "${name}"; run baton --help for the list`;
    if (wantsJson) writeJson(io.stdout, { error: { kind: 'usage', message } });
    io.stderr.write(`baton: ${message}\n`);
    return 2;
  }
  const command = await entry.load();
  let baton: Baton | undefined;
  try {
    const parsed = parseArgs({
      args: joinDashValues(rest, command.options),
      options: { ...command.options, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: command.allowPositionals,
      strict: true,
    });
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
      { values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals },
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
