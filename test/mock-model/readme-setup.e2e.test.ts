import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { CODEX_API_KEY_VARIABLE, parseScript, prepareClaudeSandbox, prepareCodexSandbox, SCRIPTED_CLAUDE_MODEL, startMockModel } from '../../src/mock-model/index.js';
import { killAllAgents, makeGitRepo, makeTempDir, runAgent } from './agent-harness.js';

/**
 * README's "claude and codex against your own endpoint" shows a user the setup the suite runs the
 * real CLIs with. These tests hold the two together: same variables, same config.toml keys and
 * value kinds (modulo host, port, names and numbers), so neither can change without the other.
 */
const README = fileURLToPath(new URL('../../../README.md', import.meta.url));
const SECTION = '### claude and codex against your own endpoint';

async function readmeSection(): Promise<{ text: string; sh: string; toml: string }> {
  const readme = await readFile(README, 'utf8');
  const start = readme.indexOf(SECTION);
  assert.ok(start >= 0, `README has a "${SECTION}" section`);
  const end = /\n#{2,3} /.exec(readme.slice(start + SECTION.length));
  const text = readme.slice(start, end ? start + SECTION.length + end.index : undefined);
  const block = (lang: string) => {
    const found = new RegExp('```' + lang + '\\n([\\s\\S]*?)\\n```').exec(text);
    assert.ok(found, `the section has a \`\`\`${lang} block`);
    return found[1]!;
  };
  return { text, sh: block('sh'), toml: block('toml') };
}

/** `export K=V  # comment` lines. */
function exportsOf(sh: string): Record<string, string> {
  return Object.fromEntries(
    sh
      .split('\n')
      .map((line) => /^export\s+([A-Z_][A-Z0-9_]*)=(\S*)/.exec(line))
      .filter((m) => m !== null)
      .map((m) => [m[1]!, m[2]!]),
  );
}

type TomlValue = string | number | boolean;

/**
 * The flat TOML both sides write: `[table]` headers and `key = value` lines whose values (basic
 * strings, integers, booleans) read as JSON. Anything else fails the test rather than being skipped.
 */
function readToml(text: string): Record<string, Record<string, TomlValue>> {
  const tables: Record<string, Record<string, TomlValue>> = { '': {} };
  let current = tables['']!;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\s+#.*$/, '').trim();
    if (line === '' || line.startsWith('#')) continue;
    const header = /^\[([\w.-]+)\]$/.exec(line);
    if (header) {
      current = tables[header[1]!] = {};
      continue;
    }
    const pair = /^([\w-]+)\s*=\s*(.+)$/.exec(line);
    assert.ok(pair, `a TOML line this test reads: ${raw}`);
    current[pair[1]!] = JSON.parse(pair[2]!) as TomlValue;
  }
  return tables;
}

/** The provider's table renamed to `model_providers.*`: a user names theirs, the sandbox names its own. */
function withProviderAnonymised(tables: Record<string, Record<string, TomlValue>>): Record<string, Record<string, TomlValue>> {
  const provider = `model_providers.${String(tables['']!.model_provider)}`;
  assert.ok(tables[provider], `model_provider names a [${provider}] table`);
  return Object.fromEntries(Object.entries(tables).map(([name, table]) => [name === provider ? 'model_providers.*' : name, table]));
}

/** Key → value, with the values that may differ (URLs, names, numbers, keys) reduced to their kind. */
function shape(tables: Record<string, Record<string, TomlValue>>): Record<string, Record<string, string>> {
  const kind = (key: string, value: TomlValue): string => {
    if (key === 'base_url') return `url ending ${new URL(String(value)).pathname}`;
    if (key === 'model_provider' || key === 'name' || key === 'env_key' || key === 'model') return typeof value;
    if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? 'count' : 'number';
    return JSON.stringify(value);
  };
  return Object.fromEntries(Object.entries(tables).map(([name, table]) => [name, Object.fromEntries(Object.entries(table).map(([k, v]) => [k, kind(k, v)]))]));
}

test("README's claude setup sets exactly the endpoint variables the claude sandbox sets", async (t) => {
  const { sh } = await readmeSection();
  const readme = exportsOf(sh);
  const root = await makeTempDir('baton-readme-claude-');
  t.after(() => rm(root, { recursive: true, force: true }));
  const sandbox = await prepareClaudeSandbox({ baseUrl: 'http://127.0.0.1:4242/v1', apiKey: 'k', root, maxRetries: 1 });
  assert.deepEqual(Object.keys(readme).sort(), Object.keys(sandbox.endpointEnv).sort());
  for (const [name, value] of Object.entries(sandbox.endpointEnv)) assert.equal(sandbox.env[name], value, `${name} is in the env claude gets`);
  // claude appends /v1 itself: both give the API's root.
  assert.equal(new URL(readme.ANTHROPIC_BASE_URL!).pathname, '/');
  assert.equal(new URL(sandbox.endpointEnv.ANTHROPIC_BASE_URL!).pathname, '/');
  for (const retries of [readme.CLAUDE_CODE_MAX_RETRIES, sandbox.endpointEnv.CLAUDE_CODE_MAX_RETRIES]) assert.match(retries ?? '', /^\d+$/);
  assert.ok(readme.ANTHROPIC_API_KEY, 'README gives a key');
});

test("README's codex config.toml has the keys and shape of the one the codex sandbox writes", async (t) => {
  const { toml, text } = await readmeSection();
  const root = await makeTempDir('baton-readme-codex-');
  t.after(() => rm(root, { recursive: true, force: true }));
  const sandbox = await prepareCodexSandbox({ baseUrl: 'http://127.0.0.1:4242/v1', apiKey: 'k', root });
  const written = withProviderAnonymised(readToml(await readFile(sandbox.configPath, 'utf8')));
  const shown = withProviderAnonymised(readToml(toml));
  assert.deepEqual(shape(shown), shape(written));
  assert.equal(shown['model_providers.*']!.wire_api, 'responses');
  // The key reaches codex through the variable env_key names, in README as in the sandbox.
  assert.equal(written['model_providers.*']!.env_key, CODEX_API_KEY_VARIABLE);
  assert.equal(sandbox.env[CODEX_API_KEY_VARIABLE], 'k');
  assert.equal(sandbox.env.CODEX_HOME, sandbox.codexHome);
  assert.ok(text.includes(`export ${String(shown['model_providers.*']!.env_key)}=`), 'README says to export the variable env_key names');
});

test('claude with the base URL but no key says "Not logged in" and never asks the model, as README warns', { timeout: 120_000 }, async (t) => {
  const mock = await startMockModel({ script: parseScript({ steps: [{ text: 'hello' }] }) });
  t.after(() => mock.close());
  const root = await makeTempDir('baton-readme-claude-e2e-');
  t.after(() => rm(root, { recursive: true, force: true }));
  const repo = await makeGitRepo();
  t.after(() => rm(repo, { recursive: true, force: true }));
  t.after(killAllAgents);
  const sandbox = await prepareClaudeSandbox({ baseUrl: mock.url, apiKey: 'k', root, maxRetries: 1, isolateHome: true });
  const { ANTHROPIC_API_KEY: _key, ...withoutKey } = sandbox.env;
  // The user's own credentials must not stand in for the missing key.
  const env = { ...withoutKey, ANTHROPIC_API_KEY: '', ANTHROPIC_AUTH_TOKEN: '', CLAUDE_CODE_OAUTH_TOKEN: '' };
  const run = await runAgent('claude', ['-p', '--output-format', 'stream-json', '--verbose', '--model', SCRIPTED_CLAUDE_MODEL, '--', 'hi'], { cwd: repo, env, timeoutMs: 90_000 });
  assert.equal(run.timedOut, false);
  assert.match(run.stdout, /Not logged in/, run.stdout.slice(-2000) + run.stderr.slice(-2000));
  // claude probes the host with a HEAD / first; what must not happen is a model request.
  assert.deepEqual(mock.requests().filter((r) => r.method !== 'HEAD'), []);
});
