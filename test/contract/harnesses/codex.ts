import { prepareCodexSandbox } from '../../../src/mock-model/index.js';
import { API_KEY, type RunnerHarness } from '../harness.js';

/** The real `codex exec` against the scripted model, through a private CODEX_HOME. */
export const codexHarness: RunnerHarness = {
  runner: 'codex',
  async prepare(mock, root) {
    const sandbox = await prepareCodexSandbox({ baseUrl: mock.url, apiKey: API_KEY, root });
    return { env: sandbox.env, runArgs: ['--model', sandbox.model] };
  },
  // codex's exec_command runs in the run's dir; printf keeps the content byte for byte.
  writeFile: (path, content) => ({
    tools: [{ name: 'exec_command', args: { cmd: `mkdir -p "$(dirname ${shellQuote(path)})" && printf %s ${shellQuote(content)} > ${shellQuote(path)}` } }],
  }),
  runCommand: (command) => ({ tools: [{ name: 'exec_command', args: { cmd: command } }] }),
  reportsTokens: true,
  takesLongPrompts: true,
  // With request_max_retries = 0 (the sandbox's config) codex fails the turn on the first 500 and exits 1.
  apiFailure: () => ({ error: { status: 500, message: 'upstream exploded' } }),
};

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
