import { flag, integerOption, requireIds } from '../args.js';
import { defineCommand } from '../define.js';
import { createControlStripper, stripTerminalControls } from '../../text.js';

export const tailCommand = defineCommand({
  name: 'tail',
  summary: 'last lines of a run\'s output (ANSI stripped), -f to follow',
  positionals: [{ name: 'ID' }],
  options: [
    { name: 'lines', short: 'n', value: 'N', description: 'how many lines', default: '80' },
    { name: 'follow', short: 'f', description: 'keep printing new output until the run ends' },
    { name: 'raw', description: 'the output as the agent wrote it; without it, colours, escape\nsequences and control characters are removed' },
  ],
  json: 'print {"id","lines":[…]} (not with --follow)',
  more: 'Reads backwards from the end of the log: cheap on any size of log.',
}, {
  async run(args, io, baton) {
    const [id] = requireIds(args, 'tail', 1);
    const raw = flag(args, 'raw');
    const result = await baton().fetchTail(id!, { lines: integerOption(args, 'lines'), raw });
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
});
