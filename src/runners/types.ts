import type { OutputParser } from '../events.js';

// Derived from the table in registry.ts (a type-only import: no cycle at run time).
export type { RunnerName } from './registry.js';

/** Per-run settings a runner understands (e.g. claude's permission mode); stored with the run. */
export type RunnerOptions = Record<string, string | string[]>;

/** What a caller asks a runner to do; the same shape for a fresh launch and a resume. */
export interface LaunchRequest {
  prompt: string;
  dir: string;
  agent?: string;
  model?: string;
  /** Set when continuing an existing agent session. */
  sessionId?: string;
  options: RunnerOptions;
}

/** A fully resolved process to start: argv only, never a shell string. */
export interface Invocation {
  command: string;
  args: string[];
  /** Bytes to write to the child's stdin, which is then closed. Absent: stdin is /dev/null. */
  stdin?: string;
  /** Extra environment on top of the caller's. */
  env?: Record<string, string>;
  cwd: string;
  /** A session id the runner was told to use up front (claude --session-id), recorded at once. */
  sessionId?: string;
}

/** What exporting a session needs: where the run worked and the environment its agent had. */
export interface ExportContext {
  dir: string;
  env: NodeJS.ProcessEnv;
  locate: (name: string) => string;
}

/** Facts about the host a runner may need while building its invocation. */
export interface InvocationContext {
  /** Absolute path of the runner's executable, already resolved. */
  binary: string;
  /** Resolves another executable the runner needs (see `companions`); throws when absent. */
  locate: (name: string) => string;
  /** A free TCP port on 127.0.0.1 for runners that start a local server. */
  freePort: () => Promise<number>;
  /** The run's own directory under BATON_HOME, for files beside its log (a server's output). */
  runDir?: string;
  /** The environment the agent gets (Baton's env plus the run's session env), never process.env. */
  env: NodeJS.ProcessEnv;
}

/** A tool call that the agent's own session store still shows as unfinished. */
export interface UnfinishedTool {
  tool: string;
  status: string;
  path?: string;
  command?: string;
}

/** What the agent's own session store says about a session, beyond the log. */
export interface SessionFacts {
  unfinishedTools: UnfinishedTool[];
  /** Shell commands in the order they ran. */
  commands: { command: string; status: 'pending' | 'running' | 'completed' | 'error'; exitCode?: number }[];
  /** Errors recorded on the session's messages, with the provider's HTTP status when known. */
  errors: { message: string; api: boolean; status?: number }[];
}

/**
 * How a runner's CLI can be given its prompt: `stdin` always there; `argv` only as one argument,
 * which Linux bounds (see prompt-limits.ts); `argv-or-stdin` as an argument, or on stdin when too long for one.
 */
export type PromptRoute = 'stdin' | 'argv' | 'argv-or-stdin';

/** How `baton demo` drives a runner against the scripted model. */
export interface DemoFacts {
  /** The agent the demo picks, when the runner has agents. */
  agent?: string;
  /** Whether the demo's sandbox installs the oh-my-opencode plugin. */
  ohMyOpencode: boolean;
}

export interface RunnerAdapter {
  /** The runner's key in RUNNERS (registry.ts); test/runners/runner-table.test.ts checks they agree. */
  name: string;
  /** Executable looked up in Baton's own node_modules/.bin first, then PATH. */
  binary: string;
  /** The npm package that installs `binary`, named when it is missing; absent when there is none (cmd). */
  npmPackage?: string;
  /** Executables the runner itself needs on PATH (oh-my-opencode starts `opencode`). */
  companions: string[];
  description: string;
  defaultAgent?: string;
  /** How the runner says it is done, e.g. '"All tasks completed."'; absent: the exit code alone decides. */
  completionSignal?: string;
  /** False when the runner's output does not show which commands ran, so a verification cannot be checked. */
  observesCommands?: boolean;
  /** Like completionSignal, for runners whose signal depends on the run's options (cmd). */
  completionSignalFor?(options: RunnerOptions): string | undefined;
  /** Rejects options this runner does not know, naming them; returns them normalised. `env` is Baton's, never process.env. */
  checkOptions?(options: RunnerOptions, env?: NodeJS.ProcessEnv): RunnerOptions;
  /** How this runner takes the prompt, so that one it cannot take is refused before anything starts. */
  promptRoute(options: RunnerOptions): PromptRoute;
  /** The --runner-option that makes a runner whose prompt goes in argv read it from stdin (cmd: input=stdin). */
  stdinOption?: string;
  /** Set when `baton demo` can run this runner. */
  demo?: DemoFacts;
  buildLaunch(request: LaunchRequest, context: InvocationContext): Promise<Invocation>;
  /** A fresh parser for one run's output (options matter to runners configured per run, like cmd). */
  createParser(options: RunnerOptions): OutputParser;
  /** Set when the output's format comes from each run's options (cmd's regexes): no captured output can stand for it. */
  outputFromOptions?: true;
  /** The executable for these options, when it is not always `binary` (the cmd runner's comes from its template). */
  executableFor?(options: RunnerOptions): string;
  /** The whole session as JSON-compatible data (through the runner's own export, or its session file). */
  exportSession(sessionId: string, context: ExportContext): Promise<unknown>;
  /**
   * Reads the agent's own session store: tool calls left pending or running (the log can end before
   * a cut-off shows) and commands with their exit codes. Null when the store cannot be read.
   */
  inspectSession?(sessionId: string, env: NodeJS.ProcessEnv): SessionFacts | null;
  /**
   * Whether a failed start (non-zero exit before any session existed) was the runner's own start-up
   * failing, worth one more try, e.g. oh-my-opencode giving up on its server after a fixed 5 s on a
   * loaded machine. Returns a short description, or null.
   */
  transientStartFailure?(errors: string[]): string | null;
}
