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
    const following = flag(args, 'follow') && !io.json;
    // Followed, the lines stay raw here: the one stripper below sees them and what follows as one stream.
    const result = await baton().fetchTail(id!, { lines: integerOption(args, 'lines'), raw: raw || following });
    // Without --raw nothing the agent printed may drive the reader's terminal; JSON keeps the text as logged.
    const shown = (text: string) => (raw ? text : stripTerminalControls(text));
    if (!following) {
      return { exitCode: 0, json: { id: result.id, lines: result.lines }, text: result.lines.map(shown).join('\n') };
    }
    // Followed as written and stripped here, where a sequence split across two reads is held whole,
    // even one the log's last (unfinished) line began: that line goes on in the followed text.
    const strip = createControlStripper();
    if (result.lines.length > 0) {
      const initial = `${result.lines.join('\n')}${result.partial ? '' : '\n'}`;
      io.stdout.write(raw ? initial : strip(initial));
    }
    const status = await baton().follow(result.id, result.offset, (text) => io.stdout.write(raw ? text : strip(text)), { raw: true, signal: io.signal });
    io.stderr.write(`${io.errStyle.dim('run')} ${status.id} ${io.errStyle.state(status.state)}\n`);
    return { exitCode: 0 };
  },
});
