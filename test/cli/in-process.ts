/** Runs one CLI command in this process, with argv parsed the way src/cli/main.ts parses it. */
import type { Command, CommandIo, CommandResult } from '../../src/cli/command.js';
import { parseCommandArgs } from '../../src/cli/parse.js';
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
  const parsed = parseCommandArgs(command.definition, argv);
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
  const result = await command.run(parsed, io, () => {
    throw new Error(`baton ${command.name} needs no store`);
  });
  return { ...result, stdout: stdout.text, stderr: stderr.text };
}
