import type { OutputParser, RunEvent, ToolKind, ToolStatus } from '../events.js';
import { TOOL_OUTPUT_LIMIT as OUTPUT_LIMIT } from '../events.js';
import { clip } from '../text.js';
import { classifyErrorText } from './provider-errors.js';
import { toolKindOf } from './tool-kinds.js';
import { classifyLine, type Header, type Indented, type JsonSummary, type Marker, type OmoLine } from './omo-lines.js';
import { guardParser, type ParseReport } from './parse-guard.js';

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
// The parser is two halves: omo-lines.ts says what a line is from the line alone; the state machine
// below decides what it means after the lines before it, and which events it completes.

/** Assistant text kept per text block. */
const TEXT_LIMIT = 20_000;
/** Error message kept per error block. */
const ERROR_LIMIT = 2_000;
const TITLE_LIMIT = 500;

/** Whole outputs of opencode's file tools; anything but a blank line after them is assistant text. */
const SINGLE_LINE_OUTPUTS: ReadonlySet<string> = new Set(['Edit applied successfully.', 'Wrote file successfully.']);
const LONGEST_SINGLE_LINE_OUTPUT = 32;

/** Returned for lines that complete no event; frozen, so a caller cannot fill it for everyone. */
const NO_EVENTS = Object.freeze([]) as unknown as RunEvent[];

type ToolEvent = Extract<RunEvent, { kind: 'tool' }>;

/** What the parser is in the middle of; a blank line ends every block. */
type Mode = 'none' | 'text' | 'output' | 'thinking' | 'error';

/** The tool whose header was shown last: oh-my-opencode shows one call at a time. */
interface OpenTool {
  callId: string;
  tool: string;
  toolKind: ToolKind;
  path: string | undefined;
  command: string | undefined;
  title: string;
  output: string;
  outputLines: number;
  sawOutput: boolean;
}

/** Assistant text gathered until its block ends. */
interface TextBlock {
  lines: string[];
  length: number;
  /** Index in lines of a line that may be the model line of an agent header. */
  modelCandidate: number;
}

/** An error message that stderr lines continue up to a blank line. */
interface ErrorBlock {
  lines: string[];
  length: number;
  /** `Session ended with error:`, which repeats the last `[session.error]`. */
  final: boolean;
}

/** Everything the parser remembers between lines. */
interface OmoState {
  mode: Mode;
  prevBlank: boolean;
  /** The previous line ended in the two-space pad; one that did not was cut short. */
  prevPadded: boolean;
  tool: OpenTool | null;
  toolCount: number;
  text: TextBlock;
  error: ErrorBlock;
  // What was last reported, so that repeats are reported once.
  lastError: string | undefined;
  lastText: string | undefined;
  sessionId: string | undefined;
  model: string | undefined;
  agent: string | undefined;
  completed: boolean;
  sawError: boolean;
  /** Events the current line completed; most lines share NO_EVENTS instead of a new array each. */
  out: RunEvent[];
}

function newState(): OmoState {
  return {
    mode: 'none',
    prevBlank: true,
    prevPadded: false,
    tool: null,
    toolCount: 0,
    text: { lines: [], length: 0, modelCandidate: -1 },
    error: { lines: [], length: 0, final: false },
    lastError: undefined,
    lastText: undefined,
    sessionId: undefined,
    model: undefined,
    agent: undefined,
    completed: false,
    sawError: false,
    out: NO_EVENTS,
  };
}

export function createOmoParser(): OutputParser {
  return guardParser((report) => {
    const state = newState();
    return {
      push(line: string): RunEvent[] {
        state.out = NO_EVENTS;
        onLine(state, classifyLine(line), report);
        return state.out;
      },
      end(): RunEvent[] {
        state.out = NO_EVENTS;
        onEnd(state);
        return state.out;
      },
    };
  });
}

function onLine(s: OmoState, line: OmoLine, report: ParseReport): void {
  if (line.group === 'blank') {
    finishBlock(s);
    s.prevBlank = true;
    s.prevPadded = false;
    return;
  }
  if (line.group === 'other' && line.malformed !== undefined) report.malformed(line.malformed);
  // A timestamped line is stdout: the (stderr) error block is over.
  if (s.mode === 'error' && line.stamped) flushError(s);
  if (line.group === 'marker') {
    onMarker(s, line.marker);
  } else if (s.mode === 'error') {
    // Until a blank line, stderr lines continue the message, unless they start a new marker.
    addErrorLine(s, line.text);
  } else if (line.group === 'indented') {
    onIndented(s, line.shape, line);
  } else if (s.mode === 'output') {
    // Not ours (bun fallback notice, npm noise, stray stderr): it is neither text nor a tool.
    addOutput(s, line.text);
  }
  s.prevBlank = false;
  s.prevPadded = line.padded;
}

function onEnd(s: OmoState): void {
  flushError(s);
  flushText(s);
  if (s.mode === 'output') closeTool(s);
  // A tool whose header is the last thing in the log stays open: it was cut off.
  s.mode = 'none';
}

/** Lines at column 0: the runner's own markers. */
function onMarker(s: OmoState, marker: Marker): void {
  switch (marker.type) {
    case 'session':
      finishBlock(s);
      onSession(s, marker.id);
      return;
    case 'server':
      emit(s, { kind: 'server', url: marker.url });
      return;
    case 'model':
      onModel(s, marker.name);
      return;
    case 'completed':
      finishBlock(s);
      closeTool(s);
      onCompleted(s);
      return;
    case 'error':
      startError(s, marker.message, marker.final);
      return;
    case 'interrupted':
      finishBlock(s);
      emitError(s, marker.message, false);
      return;
    case 'summary':
      onSummary(s, marker.summary);
      return;
    case 'quiet':
      return;
  }
}

/** Lines indented by two spaces: what the agent does. */
function onIndented(s: OmoState, shape: Indented, line: OmoLine): void {
  switch (shape.type) {
    case 'output-marker':
      onOutputMarker(s);
      return;
    case 'footer':
      flushText(s);
      if (s.mode !== 'output') s.mode = 'none';
      return;
    case 'agent-header':
      // Inside output it is just output.
      if (s.mode !== 'output') {
        onAgentHeader(s, shape.agent);
        return;
      }
      break;
  }
  if (s.mode === 'output') {
    onOutputLine(s, line);
    return;
  }
  if (s.mode === 'thinking' || shape.type === 'thinking') {
    if (s.mode !== 'thinking') {
      flushText(s);
      s.mode = 'thinking';
    }
    return;
  }
  // A tool header always follows a blank line or a cut-off text line; elsewhere it is text.
  const afterBlankOrCut = s.prevBlank || !s.prevPadded;
  if (shape.type === 'tool-header' && afterBlankOrCut) openTool(s, shape.header);
  else if (shape.type !== 'progress') onText(s, line, afterBlankOrCut);
}

function onOutputMarker(s: OmoState): void {
  flushText(s);
  flushError(s);
  if (s.mode === 'output') closeTool(s);
  // Without an open tool (its header was never printed) the output is skipped.
  if (s.tool) s.tool.sawOutput = true;
  s.mode = 'output';
}

/** An agent header: an optional `  model  ` line (taken for text so far), then `  └─ Agent  `. */
function onAgentHeader(s: OmoState, agent: string): void {
  const text = s.text;
  let modelLine: string | undefined;
  if (s.mode === 'text' && text.modelCandidate >= 0 && text.modelCandidate === text.lines.length - 1) {
    modelLine = text.lines.pop()!.trim();
  }
  flushText(s);
  if (modelLine) onModel(s, modelLine);
  onAgent(s, agent);
}

function onOutputLine(s: OmoState, line: OmoLine): void {
  // Inside output every line ends in the two-space pad; a line without it is the end of a
  // text block that followed the output directly (no blank line in between).
  if (!line.padded) {
    closeTool(s);
    addText(s, unpad(line.text));
    return;
  }
  const t = s.tool;
  if (t) {
    if (t.outputLines === 1 && t.output.length < LONGEST_SINGLE_LINE_OUTPUT && SINGLE_LINE_OUTPUTS.has(t.output) && line.text.trim() !== '') {
      // After "Edit applied successfully." only a blank line and diagnostics can follow.
      closeTool(s);
      addText(s, unpad(line.text));
      return;
    }
    t.outputLines += 1;
    if (t.output.length < OUTPUT_LIMIT) addOutput(s, unpad(line.text));
  }
  // With colours, the dim span around the output closes on its last line.
  if (line.dimEnd || (t?.tool === 'todowrite' && line.text === '  ]  ')) closeTool(s);
}

function openTool(s: OmoState, header: Header): void {
  flushText(s);
  flushError(s);
  closeTool(s);
  s.toolCount += 1;
  const tool: OpenTool = {
    callId: `omo-${s.toolCount}`,
    tool: header.tool,
    toolKind: toolKindOf(header.tool),
    path: header.path,
    command: header.command,
    title: clip(header.title, TITLE_LIMIT),
    output: '',
    outputLines: 0,
    sawOutput: false,
  };
  s.tool = tool;
  emitTool(s, tool, 'running', false);
}

/** Assistant text. Text after a tool header means the tool is done. */
function onText(s: OmoState, line: OmoLine, afterBlankOrCut: boolean): void {
  if (s.tool && !s.tool.sawOutput) closeTool(s);
  flushError(s);
  if (s.text.length >= TEXT_LIMIT) return;
  addText(s, unpad(line.text));
  if (afterBlankOrCut && line.padded) s.text.modelCandidate = s.text.lines.length - 1;
}

function emit(s: OmoState, event: RunEvent): void {
  if (s.out === NO_EVENTS) s.out = [];
  s.out.push(event);
}

function emitTool(s: OmoState, t: OpenTool, status: ToolStatus, withOutput: boolean): void {
  const event: ToolEvent = { kind: 'tool', callId: t.callId, tool: t.tool, toolKind: t.toolKind, status };
  if (t.path !== undefined) event.path = t.path;
  if (t.command !== undefined) event.command = t.command;
  event.title = t.title;
  if (withOutput && t.output.length > 0) event.output = t.output;
  emit(s, event);
}

/** The open tool finished: oh-my-opencode only moves on once the current call is done. */
function closeTool(s: OmoState): void {
  if (s.mode === 'output') s.mode = 'none';
  if (!s.tool) return;
  emitTool(s, s.tool, 'completed', s.tool.sawOutput);
  s.tool = null;
}

function addOutput(s: OmoState, line: string): void {
  const t = s.tool;
  if (!t) return;
  const room = OUTPUT_LIMIT - t.output.length;
  if (room <= 0) return;
  const piece = t.output.length === 0 ? line : `\n${line}`;
  t.output += clip(piece, room);
}

/** A blank line: whatever block was open is over. */
function finishBlock(s: OmoState): void {
  flushError(s);
  flushText(s);
  if (s.mode === 'output') closeTool(s);
  s.mode = 'none';
}

function addText(s: OmoState, line: string): void {
  const text = s.text;
  if (text.length >= TEXT_LIMIT) return;
  const piece = clip(line, TEXT_LIMIT - text.length);
  text.lines.push(piece);
  text.length += piece.length + 1;
  s.mode = 'text';
}

function flushText(s: OmoState): void {
  const lines = s.text.lines;
  if (lines.length > 0) {
    let end = lines.length;
    while (end > 0 && lines[end - 1]!.trim() === '') end--;
    let start = 0;
    while (start < end && lines[start]!.trim() === '') start++;
    if (end > start) {
      // Trailing spaces are the renderer's padding of a line cut short, not the model's.
      const text = clip(lines.slice(start, end).join('\n').trimEnd(), TEXT_LIMIT);
      emit(s, { kind: 'text', text });
      s.lastText = text;
    }
    s.text.lines = [];
  }
  s.text.length = 0;
  s.text.modelCandidate = -1;
  if (s.mode === 'text') s.mode = 'none';
}

function startError(s: OmoState, first: string, final: boolean): void {
  flushText(s);
  flushError(s);
  // Session errors come from the model call that follows finished tools.
  closeTool(s);
  s.mode = 'error';
  const line = clip(first, ERROR_LIMIT);
  s.error = { lines: [line], length: line.length, final };
}

function addErrorLine(s: OmoState, line: string): void {
  const error = s.error;
  // Stack frames say where inside opencode, not what went wrong.
  if (line.startsWith('    at ') || error.length >= ERROR_LIMIT) return;
  const piece = clip(line, ERROR_LIMIT - error.length);
  error.lines.push(piece);
  error.length += piece.length + 1;
}

function flushError(s: OmoState): void {
  if (s.mode !== 'error') return;
  const { lines, final } = s.error;
  const message = clip(lines.join('\n').trim(), ERROR_LIMIT);
  s.error = { lines: [], length: 0, final: false };
  s.mode = 'none';
  if (message) emitError(s, message, final);
}

function emitError(s: OmoState, message: string, final: boolean): void {
  // `Session ended with error:` repeats the last `[session.error]`; report it once.
  if (final && message === s.lastError) return;
  emit(s, { kind: 'error', message, ...classifyErrorText(message) });
  s.lastError = message;
  s.sawError = true;
}

function onSession(s: OmoState, id: string): void {
  if (!id || id === s.sessionId) return;
  s.sessionId = id;
  emit(s, { kind: 'session', sessionId: id });
}

function onModel(s: OmoState, name: string): void {
  if (!name) return;
  // The agent header shows the model id without its provider and with ` (variant)`.
  const base = name.replace(/ \([^)]*\)$/, '');
  const model = s.model;
  if (model !== undefined && (model === name || model === base || model.endsWith(`/${base}`))) return;
  s.model = name;
  emit(s, { kind: 'model', model: name });
}

function onAgent(s: OmoState, name: string): void {
  if (!name || name === s.agent) return;
  s.agent = name;
  emit(s, { kind: 'agent', agent: name });
}

function onCompleted(s: OmoState): void {
  if (s.completed) return;
  s.completed = true;
  emit(s, { kind: 'completion', message: 'All tasks completed.' });
}

/** The `--json` summary on the last line. */
function onSummary(s: OmoState, summary: JsonSummary): void {
  finishBlock(s);
  closeTool(s);
  onSession(s, summary.sessionId);
  if (typeof summary.summary === 'string' && summary.summary !== 'Run completed') {
    // The summary is the last text part cut to 200 characters; the log usually had it in full.
    const text = clip(summary.summary, TEXT_LIMIT);
    if (!s.lastText?.startsWith(text)) {
      emit(s, { kind: 'text', text });
      s.lastText = text;
    }
  }
  if (summary.success === true) onCompleted(s);
  else if (summary.success === false && !s.sawError) emitError(s, 'oh-my-opencode run reported success: false', false);
}

/** Removes the two-space indent and the two-space pad oh-my-opencode puts around agent output. */
function unpad(line: string): string {
  const start = line.startsWith('  ') ? 2 : 0;
  let end = line.endsWith('  ') && line.length - 2 >= start ? line.length - 2 : line.length;
  if (end < start) end = start;
  if (start === 0 && end === line.length) return line;
  return line.slice(start, end);
}
