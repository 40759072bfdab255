import type { RunnerAdapter } from './types.js';
import { createOpencodeParser } from './opencode-parser.js';
import { readOpencodeSession } from './opencode-session-store.js';
import { exportWithCommand } from './run-export.js';

/** `opencode run --format json`: one JSON event per line. */
export const opencodeRunner: RunnerAdapter = {
  name: 'opencode',
  binary: 'opencode',
  npmPackage: 'opencode-ai',
  companions: [],
  description: 'opencode run --format json (agents: build, plan, or your own)',
  promptRoute: () => 'stdin',
  demo: { ohMyOpencode: false },
  async buildLaunch(request, context) {
    const args = ['run', '--format', 'json', '--dir', request.dir];
    if (request.agent) args.push('--agent', request.agent);
    if (request.model) args.push('--model', request.model);
    if (request.sessionId) args.push('--session', request.sessionId);
    // opencode re-quotes message arguments that contain spaces before sending them, so the prompt
    // goes in on stdin, which it passes on byte for byte.
    return { command: context.binary, args, cwd: request.dir, stdin: request.prompt };
  },
  createParser: createOpencodeParser,
  completionSignal: 'a final step that ends with reason "stop"',
  exportSession(sessionId, { dir, env, locate }) {
    return exportWithCommand(locate('opencode'), ['export', sessionId], dir, env);
  },
  inspectSession: readOpencodeSession,
};
