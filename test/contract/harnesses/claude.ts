import { prepareClaudeSandbox } from '../../../src/mock-model/index.js';
import { API_KEY, type RunnerHarness } from '../harness.js';

/**
 * The real `claude` (Claude Code) against the scripted model's Anthropic Messages endpoint, with a
 * private config dir (where its sessions live) and a single retry, so a failing model fails fast.
 * The adapter's default permissions apply: edits accepted, Bash allowed.
 */
export const claudeHarness: RunnerHarness = {
  runner: 'claude',
  async prepare(mock, root) {
    const sandbox = await prepareClaudeSandbox({ baseUrl: mock.url, apiKey: API_KEY, root, maxRetries: 1 });
    return { env: sandbox.env, runArgs: ['--model', sandbox.model] };
  },
  writeFile: (path, content) => ({ tools: [{ name: 'Write', args: { file_path: `{{workdir}}/${path}`, content } }] }),
  runCommand: (command) => ({ tools: [{ name: 'Bash', args: { command, description: 'Run the check' } }] }),
  reportsTokens: true,
  takesLongPrompts: true,
  // With CLAUDE_CODE_MAX_RETRIES=1, claude makes two requests about a second apart, then gives up.
  apiFailure: () => ({ error: { status: 500, message: 'upstream exploded' } }),
};
