import { randomUUID } from 'node:crypto';
import { usageError } from '../errors.js';
import { createClaudeParser } from './claude-parser.js';
import { exportClaudeSession, readClaudeSession } from './claude-session.js';
import type { RunnerAdapter, RunnerOptions } from './types.js';
import { ARGV_PROMPT_LIMIT, optionList, singleOption } from './runner-options.js';

/** `claude --permission-mode` choices (Claude Code 2.1). */
const PERMISSION_MODES = ['acceptEdits', 'auto', 'bypassPermissions', 'default', 'dontAsk', 'plan'] as const;

/**
 * What a headless run gets unless its options say otherwise: file edits inside the run's dir are
 * accepted and Bash may run any command. Whatever else would need a person's approval (edits outside
 * the dir, web fetches) is refused at once in print mode, never waited for, and shows up in the
 * run's reasons as "permission denied: …", so the run ends incomplete instead of hanging.
 */
const DEFAULT_PERMISSION_MODE = 'acceptEdits';
const DEFAULT_ALLOWED_TOOLS = ['Bash'];

const OPTION_NAMES = ['permissionMode', 'allowedTools', 'disallowedTools', 'dangerouslySkipPermissions'] as const;

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/**
 * `--runner-option` for claude: `permissionMode=acceptEdits|auto|bypassPermissions|default|dontAsk|plan`,
 * `allowedTools=TOOL` and `disallowedTools=TOOL` (repeatable, e.g. `allowedTools=Bash(npm test:*)`;
 * `allowedTools=` allows nothing extra), `dangerouslySkipPermissions=true`.
 */
function checkClaudeOptions(options: RunnerOptions, env: NodeJS.ProcessEnv = {}): RunnerOptions {
  const unknown = Object.keys(options).filter((name) => !(OPTION_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw usageError(`unknown option ${unknown.join(', ')} (claude takes ${OPTION_NAMES.join(', ')})`);
  }
  const checked: RunnerOptions = {};
  const mode = singleOption(options, 'permissionMode');
  if (mode !== undefined) {
    if (!(PERMISSION_MODES as readonly string[]).includes(mode)) {
      throw usageError(`permissionMode=${mode} is not one of ${PERMISSION_MODES.join(', ')}`);
    }
    checked.permissionMode = mode;
  }
  for (const name of ['allowedTools', 'disallowedTools'] as const) {
    if (options[name] !== undefined) checked[name] = optionList(options[name]);
  }
  const skip = singleOption(options, 'dangerouslySkipPermissions');
  if (skip !== undefined) {
    if (skip !== 'true' && skip !== 'false') throw usageError(`dangerouslySkipPermissions takes true or false, got "${skip}"`);
    if (skip === 'true') checked.dangerouslySkipPermissions = 'true';
  }
  const bypass = checked.dangerouslySkipPermissions === 'true' || checked.permissionMode === 'bypassPermissions';
  // claude itself refuses this as root, after starting; say so before anything is launched.
  if (bypass && isRoot() && env.IS_SANDBOX !== '1') {
    throw usageError(
      'claude refuses to skip permission checks (dangerouslySkipPermissions, permissionMode=bypassPermissions) when run as root ' +
        'unless IS_SANDBOX=1 is in its environment; set IS_SANDBOX=1 if this machine is a sandbox, or use permissionMode=acceptEdits',
    );
  }
  return checked;
}

function permissionArgs(options: RunnerOptions): string[] {
  if (options.dangerouslySkipPermissions === 'true') return ['--dangerously-skip-permissions'];
  const args = ['--permission-mode', typeof options.permissionMode === 'string' ? options.permissionMode : DEFAULT_PERMISSION_MODE];
  const allowed = options.allowedTools === undefined ? DEFAULT_ALLOWED_TOOLS : optionList(options.allowedTools);
  for (const tool of allowed) args.push('--allowedTools', tool);
  for (const tool of optionList(options.disallowedTools)) args.push('--disallowedTools', tool);
  return args;
}

/** `claude -p --output-format stream-json --verbose`: Claude Code, one JSON event per line. */
export const claudeRunner: RunnerAdapter = {
  name: 'claude',
  binary: 'claude',
  npmPackage: '@anthropic-ai/claude-code',
  companions: [],
  description: 'claude -p --output-format stream-json (Claude Code; --runner-option permissionMode=…, allowedTools=…)',
  checkOptions: checkClaudeOptions,
  // `claude -p` reads the prompt from stdin when none is given as an argument.
  promptRoute: () => 'argv-or-stdin',
  async buildLaunch(request, context) {
    const args = ['-p', '--output-format', 'stream-json', '--verbose'];
    if (request.model) args.push('--model', request.model);
    if (request.agent) args.push('--agent', request.agent);
    args.push(...permissionArgs(request.options));
    // A fresh run gets its session id from Baton, so the run record has it before claude prints a line.
    const sessionId = request.sessionId === undefined ? randomUUID() : undefined;
    args.push(...(sessionId === undefined ? ['--resume', request.sessionId!] : ['--session-id', sessionId]));
    // claude finds a session to resume only from the dir it started in (and the same config dir).
    const invocation = { command: context.binary, args, cwd: request.dir, ...(sessionId !== undefined && { sessionId }) };
    // Linux refuses a single argv element over 128 KiB; claude reads a prompt from stdin byte for byte.
    if (Buffer.byteLength(request.prompt) > ARGV_PROMPT_LIMIT) return { ...invocation, stdin: request.prompt };
    // After `--`, a prompt that starts with a dash is still the prompt, whatever it says.
    args.push('--', request.prompt);
    return invocation;
  },
  createParser: createClaudeParser,
  completionSignal: 'a final "result" event with is_error false',
  async exportSession(sessionId, { dir, env }) {
    return exportClaudeSession(sessionId, dir, env);
  },
  inspectSession: readClaudeSession,
};
