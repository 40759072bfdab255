/**
 * Points the real `claude` CLI (Claude Code) at a mock model: its Anthropic base URL is the mock,
 * its config dir (where sessions live) is private to the sandbox, and everything that would reach
 * the network besides the model (telemetry, auto-update, error reports) is off.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/** Any full model name works against the mock; a fixed one keeps requests and logs predictable. */
export const SCRIPTED_CLAUDE_MODEL = 'claude-sonnet-4-5';

export interface ClaudeSandboxOptions {
  /** The mock's base URL (`MockModel.url`); a trailing `/v1` is dropped, as claude adds it itself. */
  baseUrl: string;
  apiKey: string;
  /** Directory owned by this sandbox: Claude's config dir (sessions, settings) and, optionally, HOME. */
  root: string;
  /**
   * `CLAUDE_CODE_MAX_RETRIES`: claude retries HTTP 5xx/429 ten times with backoff for minutes by
   * default. Default here 1, so a failing model fails a test in seconds.
   */
  maxRetries?: number;
  /** Also point HOME at `root/home`, for runs that must not see the user's dotfiles. */
  isolateHome?: boolean;
}

export interface ClaudeSandbox {
  /** Environment to add on top of the caller's when spawning claude. */
  env: Record<string, string>;
  /** `CLAUDE_CONFIG_DIR`: sessions are under `projects/<cwd with / as ->/<session id>.jsonl`. */
  configDir: string;
  /** What to pass as `--model`. */
  model: typeof SCRIPTED_CLAUDE_MODEL;
  /** The part of `env` that points claude at the endpoint: what README's claude setup shows a user. */
  endpointEnv: Record<string, string>;
}

export async function prepareClaudeSandbox(options: ClaudeSandboxOptions): Promise<ClaudeSandbox> {
  const root = resolve(options.root);
  const configDir = join(root, 'claude-config');
  const home: Record<string, string> = options.isolateHome ? { HOME: join(root, 'home') } : {};
  await Promise.all([configDir, ...Object.values(home)].map((dir) => mkdir(dir, { recursive: true })));
  const endpointEnv = {
    ANTHROPIC_BASE_URL: options.baseUrl.replace(/\/v1\/?$/, ''),
    // Needed beside the URL: without a key claude answers "Not logged in" before any request.
    ANTHROPIC_API_KEY: options.apiKey,
    CLAUDE_CODE_MAX_RETRIES: String(options.maxRetries ?? 1),
  };
  return {
    configDir,
    model: SCRIPTED_CLAUDE_MODEL,
    endpointEnv,
    env: {
      ...endpointEnv,
      CLAUDE_CONFIG_DIR: configDir,
      DISABLE_TELEMETRY: '1',
      DISABLE_AUTOUPDATER: '1',
      DISABLE_ERROR_REPORTING: '1',
      // Title, summary and other side requests would otherwise go to the mock (or the internet).
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      ...home,
    },
  };
}
