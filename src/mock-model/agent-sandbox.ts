/**
 * Points the real opencode / oh-my-opencode CLIs at a mock model: writes an opencode config with
 * one provider (`baton`) whose base URL is the mock, and builds the environment a headless,
 * offline, isolated run needs.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export const SCRIPTED_MODEL = 'baton/scripted-gpt';

export interface AgentSandboxOptions {
  /** The mock's OpenAI-compatible base URL (`MockModel.url`, ending in `/v1`). */
  baseUrl: string;
  apiKey: string;
  /** Directory owned by this sandbox: config file, session store, state. */
  root: string;
  /**
   * Directory shared between sandboxes for XDG config and cache. opencode npm-installs ~64 MB of
   * plugin dependencies into its config dir on first use; sharing a warmed one saves that per run.
   */
  shared?: string;
  /** Also point HOME at `root/home`, for runs that must not see the user's dotfiles. */
  isolateHome?: boolean;
  /** USD per million tokens: opencode then reports a cost for each step (budgets are tested with it). */
  modelCost?: { input: number; output: number };
  /** Load oh-my-opencode as a plugin (default true); false gives plain opencode. */
  ohMyOpencode?: boolean;
}

export interface AgentSandbox {
  /** Environment to add on top of the caller's when spawning the CLI. */
  env: Record<string, string>;
  configPath: string;
  /** `provider/model` to pass as `--model`. */
  model: typeof SCRIPTED_MODEL;
}

export async function prepareAgentSandbox(options: AgentSandboxOptions): Promise<AgentSandbox> {
  const root = resolve(options.root);
  const shared = options.shared === undefined ? root : resolve(options.shared);
  const dirs = {
    XDG_DATA_HOME: join(root, 'xdg-data'),
    XDG_STATE_HOME: join(root, 'xdg-state'),
    XDG_CONFIG_HOME: join(shared, 'xdg-config'),
    XDG_CACHE_HOME: join(shared, 'xdg-cache'),
    ...(options.isolateHome ? { HOME: join(root, 'home') } : {}),
  };
  await Promise.all(Object.values(dirs).map((dir) => mkdir(dir, { recursive: true })));

  const configPath = join(root, 'opencode.json');
  const config = opencodeConfig(options.baseUrl, options.apiKey, options.ohMyOpencode ?? true, options.modelCost);
  await writeFile(configPath, `${JSON.stringify(config, null, 2)}\n`);

  return {
    configPath,
    model: SCRIPTED_MODEL,
    env: {
      OPENCODE_CONFIG: configPath,
      OPENCODE_DISABLE_AUTOUPDATE: '1',
      OPENCODE_DISABLE_MODELS_FETCH: '1',
      // Offline runs would otherwise try to fetch language servers when the agent touches code.
      OPENCODE_DISABLE_LSP_DOWNLOAD: '1',
      OMO_DISABLE_POSTHOG: '1',
      OMO_SEND_ANONYMOUS_TELEMETRY: '0',
      ...dirs,
    },
  };
}

function opencodeConfig(baseURL: string, apiKey: string, withOhMyOpencode: boolean, cost?: { input: number; output: number }) {
  const [providerId, modelId] = SCRIPTED_MODEL.split('/') as [string, string];
  return {
    $schema: 'https://opencode.ai/config.json',
    provider: {
      [providerId]: {
        npm: '@ai-sdk/openai-compatible',
        name: 'Baton mock model',
        options: { baseURL, apiKey },
        models: { [modelId]: { name: 'Baton scripted model', tool_call: true, ...(cost && { cost }) } },
      },
    },
    // The id must contain "gpt": oh-my-opencode silently swaps its hephaestus agent for sisyphus
    // on model ids it doesn't take for GPT models.
    model: SCRIPTED_MODEL,
    small_model: SCRIPTED_MODEL,
    // Any "ask" permission would wait forever for an answer no one can give in a headless run.
    permission: { edit: 'allow', bash: 'allow', webfetch: 'allow', external_directory: 'allow', doom_loop: 'allow' },
    autoupdate: false,
    share: 'disabled',
    ...(withOhMyOpencode ? { plugin: [ohMyOpencodePluginUrl()] } : {}),
  };
}

/**
 * oh-my-opencode from Baton's own dependencies, as a file:// URL. Named by package instead, the
 * plugin would be downloaded from npm into opencode's cache for every fresh XDG directory.
 */
export function ohMyOpencodePluginUrl(): string {
  return import.meta.resolve('oh-my-opencode');
}
