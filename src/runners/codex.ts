import { usageError } from '../errors.js';
import { createCodexParser } from './codex-parser.js';
import { exportCodexSession, readCodexSession } from './codex-session.js';
import type { RunnerAdapter, RunnerOptions } from './types.js';
import { ARGV_PROMPT_LIMIT, optionList, singleOption } from './runner-options.js';

/** `codex exec --sandbox` choices (codex 0.169). */
const SANDBOX_MODES = ['read-only', 'workspace-write', 'danger-full-access'] as const;

/**
 * What a headless run gets unless its options say otherwise: commands run in codex's own sandbox
 * (bubblewrap namespaces plus seccomp on Linux; it needs unprivileged user namespaces), free to write
 * in the run's dir and the temp dirs, with no network and `.git` read-only. codex's default,
 * read-only, would leave an agent unable to create a single file, and `codex exec --json` does not
 * even print the commands its sandbox refused. `danger-full-access` is for commands that need the
 * network or to write elsewhere (a package cache in HOME, `git commit`), and for hosts where the
 * sandbox cannot start.
 */
const DEFAULT_SANDBOX = 'workspace-write';

const OPTION_NAMES = ['sandbox', 'skipGitRepoCheck', 'config'] as const;

/**
 * `--runner-option` for codex: `sandbox=read-only|workspace-write|danger-full-access` (default
 * workspace-write), `skipGitRepoCheck=true` (codex refuses to run outside a git repository without it),
 * `config=KEY=VALUE` (repeatable; one `codex -c KEY=VALUE` each, VALUE in TOML, e.g.
 * `config=model_reasoning_effort="high"`).
 */
function checkCodexOptions(options: RunnerOptions): RunnerOptions {
  const unknown = Object.keys(options).filter((name) => !(OPTION_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0) throw usageError(`unknown option ${unknown.join(', ')} (codex takes ${OPTION_NAMES.join(', ')})`);
  const sandbox = singleOption(options, 'sandbox') ?? DEFAULT_SANDBOX;
  if (!(SANDBOX_MODES as readonly string[]).includes(sandbox)) {
    throw usageError(`sandbox=${sandbox} is not one of ${SANDBOX_MODES.join(', ')}`);
  }
  // Recorded with the run, so a resume runs under the same sandbox whatever the default becomes.
  const checked: RunnerOptions = { sandbox };
  const skip = singleOption(options, 'skipGitRepoCheck');
  if (skip !== undefined) {
    if (skip !== 'true' && skip !== 'false') throw usageError(`skipGitRepoCheck takes true or false, got "${skip}"`);
    if (skip === 'true') checked.skipGitRepoCheck = 'true';
  }
  const config = optionList(options.config);
  for (const entry of config) {
    if (!/^[A-Za-z0-9_.-]+=/.test(entry)) throw usageError(`config takes KEY=VALUE (a codex -c override), got "${entry}"`);
  }
  if (config.length > 0) checked.config = config;
  return checked;
}

/** `codex exec --json`: OpenAI's Codex CLI, one JSON event per line. */
export const codexRunner: RunnerAdapter = {
  name: 'codex',
  binary: 'codex',
  npmPackage: '@openai/codex',
  companions: [],
  description: 'codex exec --json (OpenAI Codex CLI; --runner-option sandbox=…, skipGitRepoCheck=true, config=KEY=VALUE)',
  checkOptions: checkCodexOptions,
  // `codex exec -` reads the prompt from stdin.
  promptRoute: () => 'argv-or-stdin',
  async buildLaunch(request, context) {
    // codex has no agents to pick; an --agent would otherwise be dropped without a word.
    if (request.agent) throw new Error(`codex has no agents (got --agent ${request.agent}); use --model, or --runner-option config=KEY=VALUE`);
    const options = checkCodexOptions(request.options);
    const args = ['exec'];
    // `resume` takes the thread from CODEX_HOME whatever the cwd; it knows neither --sandbox nor --cd,
    // so the sandbox goes in as a config override, the same way for both.
    if (request.sessionId !== undefined) args.push('resume');
    args.push('--json');
    if (options.skipGitRepoCheck === 'true') args.push('--skip-git-repo-check');
    // Nobody can answer an approval request in a headless run.
    args.push('-c', 'approval_policy="never"', '-c', `sandbox_mode="${String(options.sandbox)}"`);
    for (const entry of optionList(options.config)) args.push('-c', entry);
    if (request.model) args.push('--model', request.model);
    args.push('--');
    if (request.sessionId !== undefined) args.push(request.sessionId);
    // stdin stays /dev/null (Invocation.stdin undefined): codex reads an open stdin to its end before
    // starting, and appends what it read to the prompt. A prompt too long for argv goes there instead, as "-".
    if (Buffer.byteLength(request.prompt) > ARGV_PROMPT_LIMIT) {
      args.push('-');
      return { command: context.binary, args, cwd: request.dir, stdin: request.prompt };
    }
    args.push(request.prompt);
    return { command: context.binary, args, cwd: request.dir };
  },
  createParser: createCodexParser,
  completionSignal: 'a final "turn.completed" event',
  async exportSession(sessionId, { env }) {
    return exportCodexSession(sessionId, env);
  },
  inspectSession: readCodexSession,
};
