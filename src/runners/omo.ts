import { dirname } from 'node:path';
import type { RunnerAdapter } from './types.js';
import { createOmoParser } from './omo-parser.js';
import { readOpencodeSession } from './opencode-session-store.js';
import { exportWithCommand } from './run-export.js';

/** `oh-my-opencode run`: opencode plus the oh-my-opencode agents (Sisyphus, Hephaestus, Oracle, …). */
export const omoRunner: RunnerAdapter = {
  name: 'omo',
  binary: 'oh-my-opencode',
  companions: ['opencode'],
  description: 'oh-my-opencode run (agents: sisyphus, hephaestus, oracle, explore, prometheus, …)',
  // `oh-my-opencode run` takes its message only as an argument (no stdin, no file option, 3.x).
  promptRoute: () => 'argv',
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
    return {
      command: context.binary,
      args,
      cwd: request.dir,
      env: { PATH: `${dirname(opencode)}:${process.env.PATH ?? ''}` },
    };
  },
  createParser: createOmoParser,
  completionSignal: '"All tasks completed."',
  exportSession(sessionId, { dir, env, locate }) {
    return exportWithCommand(locate('opencode'), ['export', sessionId], dir, env);
  },
  inspectSession: readOpencodeSession,
  transientStartFailure(errors) {
    return errors.some((message) => /Timeout waiting for server to start/i.test(message))
      ? 'its opencode server did not start within the 5 s oh-my-opencode allows'
      : null;
  },
};
