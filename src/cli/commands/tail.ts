import { flag, integerOption, requireIds } from '../args.js';
import type { Command } from '../command.js';
import { createControlStripper, stripTerminalControls } from '../../text.js';

export const tailCommand: Command = {
  name: 'tail',
  summary: 'the last lines of a run\'s output (ANSI stripped), optionally following it',
  help: `Usage: baton tail ID [-n 80] [-f] [--raw] [--json]

  -n, --lines N   how many lines (default 80)
  -f, --follow    keep printing new output until the run ends
  --raw           the output as the agent wrote it; without it, colours, escape
                  sequences and control characters are removed
  --json          {"id","lines":[…]} (not with --follow)

Reads backwards from the end of the log: cheap on any size of log.`,
  options: { lines: { type: 'string', short: 'n' }, follow: { type: 'boolean', short: 'f' }, raw: { type: 'boolean' } },
  allowPositionals: true,
  async run(args, io, baton) {
    const [id] = requireIds(args, 'tail', 1);
    const raw = flag(args, 'raw');
    const result = baton().tail(id!, { lines: integerOption(args, 'lines', 80), raw });
    // Without --raw nothing the agent printed may drive the reader's terminal; JSON keeps the text as logged.
    const shown = (text: string) => (raw ? text : stripTerminalControls(text));
    if (!flag(args, 'follow') || io.json) {
      return { exitCode: 0, json: { id: result.id, lines: result.lines }, text: result.lines.map(shown).join('\n') };
    }
    if (result.lines.length > 0) io.stdout.write(`${result.lines.map(shown).join('\n')}\n`);
    // Followed as written and stripped here, where a sequence split across two reads is held whole.
    const strip = createControlStripper();
    const status = await baton().follow(result.id, result.offset, (text) => io.stdout.write(raw ? text : strip(text)), { raw: true, signal: io.signal });
    io.stderr.write(`${io.errStyle.dim('run')} ${status.id} ${io.errStyle.state(status.state)}\n`);
    return { exitCode: 0 };
  },
};
