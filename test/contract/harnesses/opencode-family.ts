import { prepareAgentSandbox } from '../../../src/mock-model/index.js';
import { SHARED_XDG_DIR } from '../../mock-model/agent-harness.js';
import { warmSharedXdgDir } from '../../mock-model/scripted-session.js';
import { API_KEY, type RunnerHarness } from '../harness.js';

/** oh-my-opencode and opencode share opencode's tools and config. */
function opencodeFamily(runner: 'omo' | 'opencode'): RunnerHarness {
  return {
    runner,
    async prepare(mock, root) {
      await warmSharedXdgDir();
      const sandbox = await prepareAgentSandbox({ baseUrl: mock.url, apiKey: API_KEY, root, shared: SHARED_XDG_DIR, ohMyOpencode: runner === 'omo' });
      return { env: sandbox.env, runArgs: ['--model', sandbox.model, ...(runner === 'omo' ? ['--agent', 'hephaestus'] : [])] };
    },
    writeFile: (path, content) => ({ tools: [{ name: 'write', args: { filePath: `{{workdir}}/${path}`, content } }] }),
    runCommand: (command) => ({ tools: [{ name: 'bash', args: { command, description: 'run' } }] }),
    reportsTokens: runner === 'opencode',
    // oh-my-opencode run takes its message only as an argument.
    takesLongPrompts: runner === 'opencode',
    // retry-after 0 keeps the CLIs' five retries quick; without it they back off for over a minute.
    apiFailure: () => ({ error: { status: 500, message: 'upstream exploded', retryAfterSeconds: 0 } }),
  };
}

export const omoHarness = opencodeFamily('omo');
export const opencodeHarness = opencodeFamily('opencode');
