import { spawn } from 'node:child_process';
import { integerOption, flag, stringOption } from '../args.js';
import { untilStopped } from '../command.js';
import { defineCommand } from '../define.js';
import { usageError } from '../../errors.js';

/** Opens a URL in the desktop's browser, if there is one; never through a shell. */
function openInBrowser(url: string): void {
  const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  try {
    const child = spawn(opener, [url], { detached: true, stdio: 'ignore' });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // No browser here (a server, CI): the printed URL is enough.
  }
}

export const uiCommand = defineCommand({
  name: 'ui',
  summary: 'a live local dashboard of runs and plans in the browser (127.0.0.1, token)',
  positionals: [],
  about: `Serves a live dashboard of every run and plan in this store ($BATON_HOME): states, elapsed time
against what such work usually takes, output growth, the log tail with its colours, what each agent
did, plan phases on a timeline, and buttons to kill, resume, and resume or stop a plan. It updates
live (server-sent events) and runs until Ctrl-C; runs are not affected when it stops.

It listens on 127.0.0.1 with a random token, printed as part of the URL: open that URL once and the
page keeps the token in a cookie. Requests without the token get 401 and no data; actions also
refuse requests from other sites.`,
  options: [
    { name: 'port', value: 'N', description: 'port to listen on', whenAbsent: 'any free port' },
    { name: 'host', value: 'HOST', description: `listen on another address; anyone who can reach it and has the token can kill and
resume your runs, so Baton warns and you should prefer an SSH tunnel`, default: '127.0.0.1' },
    { name: 'open', description: 'open the URL in the desktop\'s browser' },
  ],
  json: 'print {"url","openUrl","host","port"} as one line once listening',
  more: `Examples:
  baton ui --open
  baton ui --port 7788                     then open the printed URL
  ssh -L 7788:127.0.0.1:7788 box 'baton ui --port 7788'   a remote machine's dashboard, tunnelled`,
}, {
  async run(args, io, baton) {
    const port = integerOption(args, 'port', 0);
    if (port > 65_535) throw usageError(`--port must be 0–65535, got ${port}`);
    const host = stringOption(args, 'host')!;
    const { startUiServer, isLoopback } = await import('../../ui/server.js');
    if (!isLoopback(host)) {
      io.stderr.write(`${io.errStyle.yellow('warning:')} listening on ${host}, not loopback: anyone who can reach it and has the token can see your runs and kill or resume them. Prefer an SSH tunnel to 127.0.0.1.\n`);
    }
    const server = await startUiServer(baton(), { port, host });
    if (io.json) io.stdout.write(`${JSON.stringify({ url: server.url, openUrl: server.openUrl, host: server.host, port: server.port })}\n`);
    else io.stdout.write(`Baton dashboard: ${io.style.bold(server.openUrl)}\n${io.style.dim('The token in the URL is the key: share it only with people who may act on your runs. Ctrl-C stops the dashboard; runs go on.')}\n`);
    if (flag(args, 'open')) openInBrowser(server.openUrl);
    await untilStopped(io.signal);
    await server.close();
    return { exitCode: 0 };
  },
});
