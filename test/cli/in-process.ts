/** Runs one CLI command in this process, with argv parsed the way src/cli/main.ts parses it. */
import { parseArgs } from 'node:util';
import type { Command, CommandIo, CommandResult } from '../../src/cli/command.js';
import { makeStyle } from '../../src/cli/style.js';

/** A stream that keeps what is written to it. */
function collector(): NodeJS.WriteStream & { text: string } {
  const stream = {
    text: '',
    write(chunk: string | Uint8Array) {
      stream.text += String(chunk);
      return true;
    },
  };
  return stream as unknown as NodeJS.WriteStream & { text: string };
}

/** For commands that never open the store: asking for it fails the test. */
export async function runInProcess(command: Command, argv: string[], env: NodeJS.ProcessEnv = {}): Promise<CommandResult & { stdout: string; stderr: string }> {
  const parsed = parseArgs({
    args: argv,
    options: { ...command.options, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: command.allowPositionals,
    strict: true,
  });
  const stdout = collector();
  const stderr = collector();
  const io: CommandIo = {
    stdout,
    stderr,
    style: makeStyle(false),
    errStyle: makeStyle(false),
    json: parsed.values.json === true,
    env,
    signal: new AbortController().signal,
  };
  const result = await command.run({ values: parsed.values, positionals: parsed.positionals }, io, () => {
    throw new Error(`baton ${command.name} needs no store`);
  });
  return { ...result, stdout: stdout.text, stderr: stderr.text };
}
