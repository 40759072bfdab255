import { prepareAgentSandbox } from '../../../src/mock-model/index.js';
import { SHARED_XDG_DIR } from '../../mock-model/agent-harness.js';
import { warmSharedXdgDir } from '../../mock-model/scripted-session.js';
import { API_KEY, type RunnerHarness } from '../harness.js';
import { opencodeHarness } from './opencode-family.js';

/**
 * The generic cmd runner, described only by templates and regexes, driving a real agent CLI (opencode
 * in its JSON mode) as a user would drive one Baton has no adapter for.
 */
export const cmdHarness: RunnerHarness = {
  ...opencodeHarness,
  runner: 'cmd',
  async prepare(mock, root) {
    await warmSharedXdgDir();
    const sandbox = await prepareAgentSandbox({ baseUrl: mock.url, apiKey: API_KEY, root, shared: SHARED_XDG_DIR, ohMyOpencode: false });
    const base = `opencode run --format json --dir {dir} --model ${sandbox.model}`;
    return {
      env: sandbox.env,
      runArgs: [
        '--runner-option', `command=${base}`,
        '--runner-option', `resumeCommand=${base} --session {session}`,
        '--runner-option', 'input=stdin',
        '--runner-option', 'session="sessionID":"(ses_[A-Za-z0-9]+)"',
        '--runner-option', 'completion="reason":"stop"',
        '--runner-option', 'error="type":"error"',
      ],
    };
  },
  reportsTokens: false,
  // input=stdin.
  takesLongPrompts: true,
};
