import type { OutputParser, RunEvent, ToolKind, ToolStatus } from '../events.js';
import { clip, stripAnsi } from '../text.js';
import { classifyErrorText } from './provider-errors.js';
import { toolKindOf } from './tool-kinds.js';
import { TOOL_OUTPUT_LIMIT as OUTPUT_LIMIT } from '../events.js';

/**
 * Parser for `oh-my-opencode run` output as a user captures it with `> file 2>&1` (4.19.x).
 *
 * The grammar, learnt from the CLI's renderer and from captured runs (test/fixtures/omo/):
 * - stdout lines carry a `[HH:MM:SS] ` prefix unless `--no-timestamp` or `--json`; stderr lines never do.
 * - Run markers at column 0: `Starting server on port N`, `Server listening at URL`, `Session: ses_…`,
 *   `Model: provider/model` (only with --model), `All tasks completed.`, `[session.error] msg` and
 *   `Session ended with error: msg` (stderr, may continue over several lines, up to a blank line),
 *   `Error: msg` (the CLI itself failed), and with `--json` one summary object on the last line.
 * - Everything the agent does is indented by two spaces and padded with two trailing spaces:
 *   agent header (blank, `  model  `, `  └─ Agent  `, blank); tool header `  ICON Title description  `
 *   after a blank line (→ read/list/skill, ← write/edit, $ bash, ✱ glob/grep, # todowrite/task,
 *   % webfetch, ⚙ anything else); `  └─ output  ` then the output lines; assistant text; a footer
 *   `  └─ Agent · model · 1.2s  ` when a text part ends; `  ┃  Thinking: …` reasoning blocks.
 * - With CI set, `└─` in output markers and footers becomes `` `- ``; CI also turns colours on.
 * - A tool with no output (an error, or a command that printed nothing) shows only its header; bash exit
 *   codes are never shown. Only one tool at a time is shown: parallel calls after the first are dropped.
 *
 * Synthesised call ids are `omo-1`, `omo-2`, … in order of appearance.
 */

/** Assistant text kept per text block. */
const TEXT_LIMIT = 20_000;
/** Error message kept per error block. */
const ERROR_LIMIT = 2_000;
/** Longest line inspected for markers; longer lines only count as text or output. */
const MARKER_LINE_LIMIT = 4_096;

const ESC = '\x1b';
const DIM_OFF = '\x1b[22m';

function isDigit(text: string, at: number): boolean {
  const c = text.charCodeAt(at);
  return c >= 48 && c <= 57;
}

/** `[HH:MM:SS] ` as oh-my-opencode's timestamp transformer writes it. */
function timestampLength(line: string): number {
  if (line.length < 11 || line.charCodeAt(0) !== 91 /* [ */) return 0;
  if (line.charCodeAt(3) !== 58 || line.charCodeAt(6) !== 58 || line.charCodeAt(9) !== 93 || line.charCodeAt(10) !== 32) {
    return 0;
  }
  return isDigit(line, 1) && isDigit(line, 2) && isDigit(line, 4) && isDigit(line, 5) && isDigit(line, 7) && isDigit(line, 8)
    ? 11
    : 0;
}


type ToolEvent = Extract<RunEvent, { kind: 'tool' }>;

/** Returned for lines that complete no event; frozen, so a caller cannot fill it for everyone. */
const NO_EVENTS = Object.freeze([]) as unknown as RunEvent[];

interface OpenTool {
  callId: string;
  tool: string;
  toolKind: ToolKind;
  path?: string;
  command?: string;
  title?: string;
  output: string;
  outputLines: number;
  sawOutput: boolean;
}

type Mode = 'none' | 'text' | 'output' | 'thinking' | 'error';

interface Header {
  tool: string;
  title: string;
  path?: string;
  command?: string;
}

/** Keys oh-my-opencode appends as `key=value` after a tool's title, per tool. */
const DESCRIPTION_KEYS: Readonly<Record<string, readonly string[]>> = {
  read: ['offset', 'limit'],
  edit: ['replaceAll'],
  bash: ['description', 'timeout', 'workdir'],
  webfetch: ['format', 'timeout'],
};

function cutDescription(body: string, tool: string): string {
  const keys = DESCRIPTION_KEYS[tool];
  if (!keys) return body;
  let cut = body.length;
  for (const key of keys) {
    const at = body.indexOf(` ${key}=`);
    if (at !== -1 && at < cut) cut = at;
  }
  return body.slice(0, cut);
}

const HEADER_ICONS = '→←$✱#%◈◇⚙';

/** Whole outputs of opencode's file tools; anything but a blank line after them is assistant text. */
const SINGLE_LINE_OUTPUTS: ReadonlySet<string> = new Set(['Edit applied successfully.', 'Wrote file successfully.']);

/**
 * Reads `ICON Title description` (ANSI already removed from `body`). With colours on, `boldTitle` is
 * the exact title, so descriptions never leak into paths or commands.
 */
function parseHeader(icon: string, body: string, boldTitle: string | undefined): Header {
  const title = boldTitle ?? body;
  const after = (prefix: string, tool: string): Header | undefined => {
    if (title === prefix) return { tool, title };
    if (!title.startsWith(`${prefix} `)) return undefined;
    const path = (boldTitle ?? cutDescription(body, tool)).slice(prefix.length + 1);
    return { tool, title: `${prefix} ${path}`, path };
  };
  switch (icon) {
    case '→':
      return after('Read', 'read') ?? after('List', 'list') ?? { tool: title.startsWith('Skill') ? 'skill' : 'read', title };
    case '←':
      return after('Write', 'write') ?? after('Edit', 'edit') ?? { tool: 'edit', title };
    case '$': {
      const command = boldTitle ?? cutDescription(body, 'bash');
      return { tool: 'bash', title: command, command };
    }
    case '✱':
      return { tool: title.startsWith('Glob') ? 'glob' : 'grep', title };
    case '#':
      return title === 'Todos' ? { tool: 'todowrite', title } : { tool: 'task', title: boldTitle ?? body.replace(/ agent=\S*$/, '') };
    case '%':
      return { tool: 'webfetch', title: boldTitle ?? cutDescription(body, 'webfetch') };
    case '◈':
      return { tool: 'websearch_web_search_exa', title };
    case '◇':
      return { tool: 'grep_app_searchGitHub', title };
    default: {
      const space = title.indexOf(' ');
      const tool = space === -1 ? title : title.slice(0, space);
      return { tool: tool || 'unknown', title: body };
    }
  }
}

/** Text between `open` and the next `close` in a raw (coloured) line. */
function between(raw: string, open: string, close: string): string | undefined {
  const start = raw.indexOf(open);
  if (start === -1) return undefined;
  const end = raw.indexOf(close, start + open.length);
  if (end === -1) return undefined;
  return stripAnsi(raw.slice(start + open.length, end));
}

/** Removes the two-space indent and the two-space pad oh-my-opencode puts around agent output. */
function unpad(line: string): string {
  const start = line.startsWith('  ') ? 2 : 0;
  let end = line.endsWith('  ') && line.length - 2 >= start ? line.length - 2 : line.length;
  if (end < start) end = start;
  if (start === 0 && end === line.length) return line;
  return line.slice(start, end);
}

function isFooter(body: string): boolean {
  // `Agent · model · 0.1s` (model may carry a ` (variant)` suffix).
  const last = body.lastIndexOf(' · ');
  if (last === -1 || body.indexOf(' · ') === last) return false;
  return /^\d+(?:\.\d+)?s$/.test(body.slice(last + 3).trimEnd());
}

export function createOmoParser(): OutputParser {
  let mode: Mode = 'none';
  let prevBlank = true;
  let prevPadded = false;
  let tool: OpenTool | null = null;
  let toolCount = 0;
  let textLines: string[] = [];
  let textLength = 0;
  /** Index in textLines of a line that may be the model line of an agent header. */
  let modelCandidate = -1;
  let errorLines: string[] = [];
  let errorLength = 0;
  let errorIsFinal = false;
  let lastError: string | undefined;
  let lastText: string | undefined;
  let sessionId: string | undefined;
  let model: string | undefined;
  let agent: string | undefined;
  let completed = false;
  let sawError = false;
  // Most lines complete no event; they all share one frozen empty answer instead of a new array each.
  let out: RunEvent[] = NO_EVENTS;
  const emit = (event: RunEvent): void => {
    if (out === NO_EVENTS) out = [];
    out.push(event);
  };

  const emitTool = (t: OpenTool, status: ToolStatus, withOutput: boolean): void => {
    const event: ToolEvent = { kind: 'tool', callId: t.callId, tool: t.tool, toolKind: t.toolKind, status };
    if (t.path !== undefined) event.path = t.path;
    if (t.command !== undefined) event.command = t.command;
    if (t.title !== undefined) event.title = t.title;
    if (withOutput && t.output.length > 0) event.output = t.output;
    emit(event);
  };

  /** The open tool finished: oh-my-opencode only moves on once the current call is done. */
  const closeTool = (): void => {
    if (mode === 'output') mode = 'none';
    if (!tool) return;
    emitTool(tool, 'completed', tool.sawOutput);
    tool = null;
  };

  const flushText = (): void => {
    if (textLines.length > 0) {
      let end = textLines.length;
      while (end > 0 && textLines[end - 1]!.trim() === '') end--;
      let start = 0;
      while (start < end && textLines[start]!.trim() === '') start++;
      if (end > start) {
        // Trailing spaces are the renderer's padding of a line cut short, not the model's.
        const text = clip(textLines.slice(start, end).join('\n').trimEnd(), TEXT_LIMIT);
        emit({ kind: 'text', text });
        lastText = text;
      }
    }
    textLines = [];
    textLength = 0;
    modelCandidate = -1;
    if (mode === 'text') mode = 'none';
  };

  const addText = (line: string): void => {
    if (textLength >= TEXT_LIMIT) return;
    const piece = clip(line, TEXT_LIMIT - textLength);
    textLines.push(piece);
    textLength += piece.length + 1;
    mode = 'text';
  };

  const emitError = (message: string, final: boolean): void => {
    // `Session ended with error:` repeats the last `[session.error]`; report it once.
    if (final && message === lastError) return;
    emit({ kind: 'error', message, ...classifyErrorText(message) });
    lastError = message;
    sawError = true;
  };

  const flushError = (): void => {
    if (mode !== 'error') return;
    const message = clip(errorLines.join('\n').trim(), ERROR_LIMIT);
    errorLines = [];
    errorLength = 0;
    mode = 'none';
    if (message) emitError(message, errorIsFinal);
  };

  const startError = (first: string, final: boolean): void => {
    flushText();
    flushError();
    // Session errors come from the model call that follows finished tools.
    closeTool();
    mode = 'error';
    errorIsFinal = final;
    errorLines = [clip(first, ERROR_LIMIT)];
    errorLength = errorLines[0]!.length;
  };

  const addErrorLine = (line: string): void => {
    // Stack frames say where inside opencode, not what went wrong.
    if (line.startsWith('    at ') || errorLength >= ERROR_LIMIT) return;
    const piece = clip(line, ERROR_LIMIT - errorLength);
    errorLines.push(piece);
    errorLength += piece.length + 1;
  };

  const finishBlock = (): void => {
    flushError();
    flushText();
    if (mode === 'output') closeTool();
    mode = 'none';
  };

  const addOutput = (line: string): void => {
    const t = tool;
    if (!t) return;
    const room = OUTPUT_LIMIT - t.output.length;
    if (room <= 0) return;
    const piece = t.output.length === 0 ? line : `\n${line}`;
    t.output += clip(piece, room);
  };

  const onSession = (id: string): void => {
    if (!id || id === sessionId) return;
    sessionId = id;
    emit({ kind: 'session', sessionId: id });
  };

  const onModel = (name: string): void => {
    if (!name) return;
    // The agent header shows the model id without its provider and with ` (variant)`.
    const base = name.replace(/ \([^)]*\)$/, '');
    if (model !== undefined && (model === name || model === base || model.endsWith(`/${base}`))) return;
    model = name;
    emit({ kind: 'model', model: name });
  };

  const onAgent = (name: string): void => {
    if (!name || name === agent) return;
    agent = name;
    emit({ kind: 'agent', agent: name });
  };

  const onJsonSummary = (line: string): boolean => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      return false;
    }
    if (typeof parsed !== 'object' || parsed === null) return false;
    const summary = parsed as { sessionId?: unknown; success?: unknown; summary?: unknown };
    if (typeof summary.sessionId !== 'string') return false;
    finishBlock();
    closeTool();
    onSession(summary.sessionId);
    if (typeof summary.summary === 'string' && summary.summary !== 'Run completed') {
      // The summary is the last text part cut to 200 characters; the log usually had it in full.
      const text = clip(summary.summary, TEXT_LIMIT);
      if (!lastText?.startsWith(text)) {
        emit({ kind: 'text', text });
        lastText = text;
      }
    }
    if (summary.success === true && !completed) {
      completed = true;
      emit({ kind: 'completion', message: 'All tasks completed.' });
    } else if (summary.success === false && !sawError) {
      emitError('oh-my-opencode run reported success: false', false);
    }
    return true;
  };

  /** Lines at column 0: the runner's own markers. Returns false for lines that are none of them. */
  const onMarker = (line: string): boolean => {
    switch (line.charCodeAt(0)) {
      case 83: // S
        if (line.startsWith('Session: ')) {
          finishBlock();
          onSession(line.slice(9).trim());
          return true;
        }
        if (line.startsWith('Session ended with error: ')) {
          startError(line.slice(26), true);
          return true;
        }
        if (line.startsWith('Server listening at ')) {
          emit({ kind: 'server', url: line.slice(20).trim() });
          return true;
        }
        if (line.startsWith('Session never produced assistant output')) {
          startError(line, false);
          return true;
        }
        return line.startsWith('Starting server on port ');
      case 77: // M
        if (line.startsWith('Model: ')) {
          onModel(line.slice(7).trim());
          return true;
        }
        return false;
      case 65: // A
        if (line.startsWith('All tasks completed.')) {
          finishBlock();
          closeTool();
          if (!completed) {
            completed = true;
            emit({ kind: 'completion', message: 'All tasks completed.' });
          }
          return true;
        }
        if (line.startsWith('Attaching to existing server at ')) {
          emit({ kind: 'server', url: line.slice(32).trim() });
          return true;
        }
        return line.startsWith('Auto-selected port ');
      case 80: {
        // P: `Port N is occupied, attaching to existing server` (also "became occupied").
        const m = /^Port (\d+) (?:is|became) occupied, attaching/.exec(line);
        if (m) emit({ kind: 'server', url: `http://127.0.0.1:${m[1]}` });
        return m !== null;
      }
      case 91: // [
        if (line.startsWith('[session.error] ')) {
          startError(line.slice(16), false);
          return true;
        }
        if (line.startsWith('[event error] ')) {
          startError(line.slice(14), false);
          return true;
        }
        return false;
      case 69: // E
        if (line.startsWith('Error: ')) {
          startError(line.slice(7), false);
          return true;
        }
        return false;
      case 73: // I
        if (line.startsWith('Interrupted. Shutting down')) {
          finishBlock();
          emitError(line.trim(), false);
          return true;
        }
        return false;
      case 67: // C
        return line.startsWith('Check if todos were completed');
      case 123: // {
        return line.startsWith('{"sessionId"') && onJsonSummary(line);
      default:
        return false;
    }
  };

  const onIndented = (line: string, raw: string, hasEsc: boolean): void => {
    const c2 = line.charCodeAt(2);
    const afterBlankOrCut = prevBlank || !prevPadded;
    // `└─ …` / `` `- … ``: output marker, agent header line or footer.
    if ((c2 === 0x2514 && line.charCodeAt(3) === 0x2500) || (c2 === 96 && line.charCodeAt(3) === 45)) {
      if (line.charCodeAt(4) === 32) {
        const body = line.slice(5).trimEnd();
        if (body === 'output') {
          flushText();
          flushError();
          if (mode === 'output') closeTool();
          // Without an open tool (its header was never printed) the output is skipped.
          if (tool) tool.sawOutput = true;
          mode = 'output';
          return;
        }
        if (isFooter(body)) {
          flushText();
          if (mode !== 'output') mode = 'none';
          return;
        }
        if (c2 === 0x2514 && mode !== 'output') {
          // Agent header: an optional `  model  ` line (taken for text so far), then `  └─ Agent  `.
          let modelLine: string | undefined;
          if (mode === 'text' && modelCandidate >= 0 && modelCandidate === textLines.length - 1) {
            modelLine = textLines.pop()!.trim();
          }
          flushText();
          if (modelLine) onModel(modelLine);
          onAgent(body);
          return;
        }
      }
    }
    if (mode === 'output') {
      // Inside output every line ends in the two-space pad; a line without it is the end of a
      // text block that followed the output directly (no blank line in between).
      if (!line.endsWith('  ')) {
        closeTool();
        addText(unpad(line));
        return;
      }
      const t = tool;
      if (t) {
        if (t.outputLines === 1 && t.output.length < 32 && SINGLE_LINE_OUTPUTS.has(t.output) && line.trim() !== '') {
          // After "Edit applied successfully." only a blank line and diagnostics can follow.
          closeTool();
          addText(unpad(line));
          return;
        }
        t.outputLines += 1;
        if (t.output.length < OUTPUT_LIMIT) addOutput(unpad(line));
      }
      // With colours, the dim span around the output closes on its last line.
      if ((hasEsc && raw.endsWith(DIM_OFF)) || (t?.tool === 'todowrite' && line === '  ]  ')) closeTool();
      return;
    }
    if (mode === 'thinking' || (c2 === 0x2503 && line.startsWith('  ┃  Thinking:'))) {
      if (mode !== 'thinking') {
        flushText();
        mode = 'thinking';
      }
      return;
    }
    // Tool header: `  ICON Title…  `, always after a blank line or a cut-off text line.
    if (afterBlankOrCut && line.charCodeAt(3) === 32 && line.endsWith('  ') && HEADER_ICONS.includes(line.charAt(2))) {
      const icon = line.charAt(2);
      const body = line.slice(4, -2).trim();
      if (body.length > 0) {
        flushText();
        flushError();
        closeTool();
        const bold = hasEsc ? between(raw, `${ESC}[1m`, `${ESC}[22m`) : undefined;
        const header = parseHeader(icon, body, bold);
        toolCount += 1;
        tool = {
          callId: `omo-${toolCount}`,
          tool: header.tool,
          toolKind: toolKindOf(header.tool),
          ...(header.path !== undefined && { path: header.path }),
          ...(header.command !== undefined && { command: header.command }),
          title: clip(header.title, 500),
          output: '',
          outputLines: 0,
          sawOutput: false,
        };
        emitTool(tool, 'running', false);
        return;
      }
    }
    if (
      (c2 === 78 /* N */ && (line.startsWith('  No events for ') || line.startsWith('  No meaningful work events'))) ||
      (c2 === 87 /* W */ && line.startsWith('  Waiting: '))
    ) {
      return;
    }
    // Assistant text. Text after a tool header means the tool is done.
    if (tool && !tool.sawOutput) closeTool();
    flushError();
    if (textLength >= TEXT_LIMIT) return;
    addText(unpad(line));
    if (afterBlankOrCut && line.endsWith('  ')) modelCandidate = textLines.length - 1;
  };

  const push = (input: string): RunEvent[] => {
    out = NO_EVENTS;
    try {
      let raw = input.charCodeAt(input.length - 1) === 13 /* \r */ ? input.slice(0, -1) : input;
      const ts = timestampLength(raw);
      if (ts > 0) raw = raw.slice(ts);
      const hasEsc = raw.indexOf(ESC) !== -1;
      const line = hasEsc ? stripAnsi(raw) : raw;
      if (line.length === 0) {
        finishBlock();
        prevBlank = true;
        prevPadded = false;
        return out;
      }
      if (mode === 'error' && ts > 0) {
        // A timestamped line is stdout: the (stderr) error block is over.
        flushError();
      }
      if (mode === 'error') {
        // Until a blank line, stderr lines continue the message, unless they start a new marker.
        if (line.charCodeAt(0) === 32 || line.length > MARKER_LINE_LIMIT || !onMarker(line)) addErrorLine(line);
      } else if (line.charCodeAt(0) === 32 && line.charCodeAt(1) === 32) {
        onIndented(line, raw, hasEsc);
      } else if (line.length > MARKER_LINE_LIMIT || !onMarker(line)) {
        // Not ours (bun fallback notice, npm noise, stray stderr): it is neither text nor a tool.
        if (mode === 'output') addOutput(line);
      }
      prevBlank = false;
      prevPadded = line.endsWith('  ');
    } catch {
      // Never let a strange line stop the run's supervision.
    }
    return out;
  };

  return {
    push,
    end(): RunEvent[] {
      out = NO_EVENTS;
      try {
        flushError();
        flushText();
        if (mode === 'output') closeTool();
        // A tool whose header is the last thing in the log stays open: it was cut off.
        mode = 'none';
      } catch {
        // as above
      }
      return out;
    },
  };
}
