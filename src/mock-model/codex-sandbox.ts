/**
 * Points the real `codex` CLI at a mock model: a private CODEX_HOME whose config.toml names one
 * model provider (`baton`) with the mock as its Responses endpoint, and the environment a headless,
 * offline, isolated run needs. Sessions (rollout files) land in that CODEX_HOME too.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/**
 * codex shapes its tools by model name: a model it knows gets a clean run, an unknown name a
 * (harmless) error item saying its metadata is missing.
 */
export const CODEX_SCRIPTED_MODEL = 'gpt-5.5';

/** The variable codex reads the provider's key from (the provider's `env_key`). */
export const CODEX_API_KEY_VARIABLE = 'BATON_MOCK_API_KEY';

export interface CodexSandboxOptions {
  /** The mock's base URL (`MockModel.url`, ending in `/v1`). */
  baseUrl: string;
  apiKey: string;
  /** Directory owned by this sandbox; CODEX_HOME is `root/codex-home`. */
  root: string;
  /** Model in config.toml (default CODEX_SCRIPTED_MODEL); `--model` overrides it per run. */
  model?: string;
}

export interface CodexSandbox {
  /** Environment to add on top of the caller's when spawning codex. */
  env: Record<string, string>;
  codexHome: string;
  configPath: string;
  model: string;
}

export async function prepareCodexSandbox(options: CodexSandboxOptions): Promise<CodexSandbox> {
  const codexHome = join(resolve(options.root), 'codex-home');
  await mkdir(codexHome, { recursive: true });
  const model = options.model ?? CODEX_SCRIPTED_MODEL;
  const configPath = join(codexHome, 'config.toml');
  await writeFile(configPath, codexConfig(options.baseUrl, model));
  return { codexHome, configPath, model, env: { CODEX_HOME: codexHome, [CODEX_API_KEY_VARIABLE]: options.apiKey } };
}

function codexConfig(baseUrl: string, model: string): string {
  return `# Written by Baton's codex sandbox: every request goes to the scripted model on ${baseUrl}.
model = ${tomlString(model)}
model_provider = "baton"

[model_providers.baton]
name = "Baton mock model"
base_url = ${tomlString(baseUrl)}
wire_api = "responses"
env_key = ${tomlString(CODEX_API_KEY_VARIABLE)}
# A failed request fails the turn at once: codex's own retries would make a scripted error slow
# and let one error step answer several requests.
request_max_retries = 0
stream_max_retries = 0

# Without these codex reaches for hosts outside the sandbox (telemetry, plugin and app catalogues).
[analytics]
enabled = false

[features]
plugins = false
apps = false
`;
}

/** A TOML basic string: JSON's escaping is valid TOML for the characters a path or URL holds. */
function tomlString(value: string): string {
  return JSON.stringify(value);
}
