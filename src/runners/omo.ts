import { devNull } from 'node:os';
import { dirname, join } from 'node:path';
import type { RunnerAdapter } from './types.js';
import { createOmoParser } from './omo-parser.js';
import { readOpencodeSession } from './opencode-session-store.js';
import { exportWithCommand } from './run-export.js';
import { OMO_LAUNCH_SCRIPT, SERVER_EXITED_EARLY } from './omo-launch.js';

/** `oh-my-opencode run`: opencode plus the oh-my-opencode agents (Sisyphus, Hephaestus, Oracle, …). */
export const omoRunner: RunnerAdapter = {
  name: 'omo',
  binary: 'oh-my-opencode',
  npmPackage: 'oh-my-opencode',
  companions: ['opencode'],
  description: 'oh-my-opencode run (agents: sisyphus, hephaestus, oracle, explore, prometheus, …)',
  // `oh-my-opencode run` takes its message only as an argument (no stdin, no file option, 3.x).
  promptRoute: () => 'argv',
  demo: { agent: 'hephaestus', ohMyOpencode: true },
  async buildLaunch(request, context) {
    const opencode = context.locate('opencode');
    // Without an explicit port oh-my-opencode uses 4096 and *attaches* to whatever server is already
    // there, so two parallel runs would share one server. A free port keeps each run on its own.
    const port = await context.freePort();
    const args = ['run', '--port', String(port), '--directory', request.dir];
    if (request.agent) args.push('--agent', request.agent);
    if (request.model) args.push('--model', request.model);
    if (request.sessionId) args.push('--session-id', request.sessionId);
    args.push('--', request.prompt);
    // Baton starts the server and waits for it itself (see omo-launch.ts); on the port taken by
    // it, oh-my-opencode attaches instead of starting one with its fixed 5 s limit.
    const serverLog = context.runDir ? join(context.runDir, 'server.log') : devNull;
    return {
      command: 'bash',
      args: ['-c', OMO_LAUNCH_SCRIPT, 'omo-launch', opencode, String(port), request.dir, serverLog, '--', context.binary, ...args],
      cwd: request.dir,
      env: { PATH: `${dirname(opencode)}:${context.env.PATH ?? ''}` },
    };
  },
  createParser: createOmoParser,
  completionSignal: '"All tasks completed."',
  exportSession(sessionId, { dir, env, locate }) {
    return exportWithCommand(locate('opencode'), ['export', sessionId], dir, env);
  },
  inspectSession: readOpencodeSession,
  transientStartFailure(errors) {
    // Last resort: the server Baton starts first has no time limit, but it can still die (its port
    // taken between choosing and binding it), and oh-my-opencode may yet start a server of its own.
    if (errors.some((message) => message.includes(SERVER_EXITED_EARLY))) {
      return 'its opencode server exited before it answered';
    }
    return errors.some((message) => /Timeout waiting for server to start/i.test(message))
      ? 'its opencode server did not start within the 5 s oh-my-opencode allows'
      : null;
  },
};
