/**
 * The typed events every runner's parser produces from agent output.
 * Everything downstream (digest, state detection, status, wait) consumes these, never raw text.
 */

/** Tool output a parser keeps per call; the rest stays in the log only. */
export const TOOL_OUTPUT_LIMIT = 2_000;

export type ToolKind = 'read' | 'edit' | 'write' | 'command' | 'search' | 'todo' | 'task' | 'other';

/** Lifecycle of one tool call as far as the output shows it. */
export type ToolStatus = 'pending' | 'running' | 'completed' | 'error';

export interface TokenUsage {
  input: number;
  output: number;
  reasoning?: number;
  cacheRead?: number;
  cacheWrite?: number;
}

export type RunEvent =
  /** The runner started its local server (oh-my-opencode prints this). */
  | { kind: 'server'; url: string; at?: number }
  | { kind: 'session'; sessionId: string; at?: number }
  | { kind: 'model'; model: string; at?: number }
  | { kind: 'agent'; agent: string; at?: number }
  /**
   * One observation of a tool call. The same callId may be reported several times as its status moves
   * from pending/running to completed/error; parsers that cannot see ids synthesise stable ones.
   */
  | {
      kind: 'tool';
      callId: string;
      tool: string;
      toolKind: ToolKind;
      status: ToolStatus;
      path?: string;
      command?: string;
      exitCode?: number;
      title?: string;
      /** First part of the tool's output, bounded by the parser (never the whole output). */
      output?: string;
      at?: number;
    }
  /** Assistant text (a whole message or paragraph, not token deltas). */
  | { kind: 'text'; text: string; at?: number }
  /** End of one model step (opencode's step_finish) with the reason the model stopped. */
  | { kind: 'step'; reason: string; tokens?: TokenUsage; cost?: number; at?: number }
  /** The runner's own "I am done" signal, e.g. oh-my-opencode's "All tasks completed.". */
  | { kind: 'completion'; message?: string; at?: number }
  /**
   * Something went wrong. `api` marks errors from the model provider (HTTP status when known),
   * as opposed to tool errors or crashes of the agent itself.
   */
  | { kind: 'error'; message: string; api: boolean; status?: number; at?: number }
  /** The runner is retrying a failed model call (e.g. Claude Code's api_retry): shown as it happens. */
  | { kind: 'retry'; attempt: number; maxAttempts?: number; status?: number; message?: string; at?: number }
  /** A tool call the agent's permission settings refused; the run cannot have done what it was asked. */
  | { kind: 'denied'; tool: string; detail?: string; at?: number }
  /**
   * A line the parser could not use, counted in the digest rather than dropped unseen. `malformed`: the
   * output broke its own format (a JSON line cut short by a killed process), not a fault of Baton's.
   * `exception`: the parser threw on the line, which is a bug in Baton; parsing goes on with the next line.
   * `line` counts the lines this parser was given, from 1.
   */
  | { kind: 'unparsed'; cause: 'malformed' | 'exception'; line: number; message: string; at?: number };

export type RunEventKind = RunEvent['kind'];

/** Incremental, line-oriented parser; one instance per run. */
export interface OutputParser {
  /** Feed one complete line (without its newline); returns the events it completes. */
  push(line: string): RunEvent[];
  /** The output ended; flush whatever is still buffered. */
  end(): RunEvent[];
}
