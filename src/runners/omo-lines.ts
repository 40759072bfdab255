import { stripAnsi } from '../text.js';

/**
 * What one line of `oh-my-opencode run` output is, decided from the line alone (no parser state):
 * the first half of the omo parser (omo-parser.ts holds the grammar's description and the state machine).
 */

/** Longest line inspected for markers; longer lines only count as text or output. */
export const MARKER_LINE_LIMIT = 4_096;

const ESC = '\x1b';
const BOLD_ON = '\x1b[1m';
/** SGR 22, normal intensity: ends a bold span (a tool header's title) and a dim one (a tool's output). */
const NORMAL_INTENSITY = '\x1b[22m';
const CR = 0x0d;
const SPACE = 0x20;
const ZERO = 0x30;
const NINE = 0x39;
const COLON = 0x3a;
const LEFT_BRACKET = 0x5b;
const RIGHT_BRACKET = 0x5d;
const INDENT = '  ';
/** `└─ ` opens output markers, agent headers and footers; with CI set it is `` `- `` instead. */
const BRANCH = '└─ ';
const CI_BRANCH = '`- ';
const THINKING = '  ┃  Thinking:';
/** Icons of tool headers: → read/list/skill, ← write/edit, $ bash, ✱ glob/grep, # todowrite/task, % webfetch, … */
const HEADER_ICONS = '→←$✱#%◈◇⚙';

/** A tool header, as far as the header line shows it. */
export interface Header {
  tool: string;
  title: string;
  path?: string;
  command?: string;
}

/** The `--json` summary oh-my-opencode prints as its last line. */
export interface JsonSummary {
  sessionId: string;
  success?: unknown;
  summary?: unknown;
}

/** A run marker at column 0. */
export type Marker =
  | { type: 'session'; id: string }
  | { type: 'server'; url: string }
  | { type: 'model'; name: string }
  | { type: 'completed' }
  /** Starts an error block, which stderr lines continue up to a blank line. `final`: it ended the session. */
  | { type: 'error'; message: string; final: boolean }
  | { type: 'interrupted'; message: string }
  | { type: 'summary'; summary: JsonSummary }
  /** Known, and nothing to report (`Starting server on port N`, …). */
  | { type: 'quiet' };

/** A line indented by two spaces: the agent's own output. */
export type Indented =
  | { type: 'output-marker' }
  | { type: 'footer' }
  | { type: 'agent-header'; agent: string }
  | { type: 'thinking' }
  | { type: 'tool-header'; header: Header }
  /** oh-my-opencode's own progress notes (`No events for …`, `Waiting: …`). */
  | { type: 'progress' }
  | { type: 'text' };

/** What the line alone shows it is, with its group as the discriminant. */
export type OmoLine = LineFacts &
  (
    | { group: 'blank' }
    | { group: 'marker'; marker: Marker }
    | { group: 'indented'; shape: Indented }
    /** Not indented and no marker: bun's fallback notice, npm noise, stray stderr. `malformed`: it looked like the `--json` summary but is not JSON. */
    | { group: 'other'; malformed?: string }
  );

interface LineFacts {
  /** The line without its timestamp, carriage return and colours. */
  text: string;
  /** It had a `[HH:MM:SS] ` prefix, so it came from stdout. */
  stamped: boolean;
  /** Ends in the two-space pad oh-my-opencode puts after agent output. */
  padded: boolean;
  /** With colours on, the dim span around a tool's output closes on this line. */
  dimEnd: boolean;
}

// Shapes without data are shared, so that most lines cost one small object.
const TEXT: Indented = { type: 'text' };
const OUTPUT_MARKER: Indented = { type: 'output-marker' };
const FOOTER: Indented = { type: 'footer' };
const THINKING_LINE: Indented = { type: 'thinking' };
const PROGRESS: Indented = { type: 'progress' };
const QUIET: Marker = { type: 'quiet' };
const COMPLETED: Marker = { type: 'completed' };

export function classifyLine(input: string): OmoLine {
  let raw = input.charCodeAt(input.length - 1) === CR ? input.slice(0, -1) : input;
  const ts = timestampLength(raw);
  if (ts > 0) raw = raw.slice(ts);
  const hasEsc = raw.indexOf(ESC) !== -1;
  const text = hasEsc ? stripAnsi(raw) : raw;
  const stamped = ts > 0;
  const padded = text.endsWith(INDENT);
  const dimEnd = hasEsc && raw.endsWith(NORMAL_INTENSITY);
  if (text.length === 0) return omoLine('blank', text, stamped, padded, dimEnd);
  if (text.startsWith(INDENT)) return omoLine('indented', text, stamped, padded, dimEnd, classifyIndented(text, padded, hasEsc ? raw : undefined));
  const marker = text.length > MARKER_LINE_LIMIT ? undefined : classifyMarker(text);
  if (marker === undefined) return omoLine('other', text, stamped, padded, dimEnd);
  if (marker.type === 'malformed') return omoLine('other', text, stamped, padded, dimEnd, undefined, undefined, marker.message);
  return omoLine('marker', text, stamped, padded, dimEnd, undefined, marker);
}

/**
 * Every line object gets the same fields in the same order, whatever its group: one hidden class for
 * the engine, which keeps the parser's hot path as fast as the single closure it replaced.
 */
function omoLine(
  group: OmoLine['group'],
  text: string,
  stamped: boolean,
  padded: boolean,
  dimEnd: boolean,
  shape?: Indented,
  marker?: Marker,
  malformed?: string,
): OmoLine {
  return { group, text, stamped, padded, dimEnd, shape, marker, malformed } as OmoLine;
}

const DIGIT_POSITIONS = [1, 2, 4, 5, 7, 8] as const;

/** `[HH:MM:SS] ` as oh-my-opencode's timestamp transformer writes it. */
function timestampLength(line: string): number {
  if (line.length < 11 || line.charCodeAt(0) !== LEFT_BRACKET) return 0;
  if (line.charCodeAt(3) !== COLON || line.charCodeAt(6) !== COLON || line.charCodeAt(9) !== RIGHT_BRACKET || line.charCodeAt(10) !== SPACE) {
    return 0;
  }
  for (const at of DIGIT_POSITIONS) {
    const c = line.charCodeAt(at);
    if (c < ZERO || c > NINE) return 0;
  }
  return 11;
}

/** `raw` is the coloured line when it has colours: the bold span of a tool header is its exact title. */
function classifyIndented(line: string, padded: boolean, raw: string | undefined): Indented {
  // Most lines are text: one look at the character after the indent rules out every other shape.
  const first = line.charAt(2);
  if (first === BRANCH.charAt(0) || first === CI_BRANCH.charAt(0)) {
    const boxBranch = line.startsWith(BRANCH, 2);
    if (boxBranch || line.startsWith(CI_BRANCH, 2)) {
      const body = line.slice(5).trimEnd();
      if (body === 'output') return OUTPUT_MARKER;
      if (isFooter(body)) return FOOTER;
      // `  └─ Agent  ` after an optional `  model  ` line; the CI form is never an agent header.
      if (boxBranch) return { type: 'agent-header', agent: body };
    }
  }
  if (first === THINKING.charAt(2) && line.startsWith(THINKING)) return THINKING_LINE;
  if (padded && line.charCodeAt(3) === SPACE && HEADER_ICONS.includes(first)) {
    const body = line.slice(4, -2).trim();
    if (body.length > 0) {
      const bold = raw === undefined ? undefined : between(raw, BOLD_ON, NORMAL_INTENSITY);
      return { type: 'tool-header', header: parseHeader(first, body, bold) };
    }
  }
  if (PROGRESS_INITIALS.includes(first) && PROGRESS_NOTES.some((note) => line.startsWith(note))) return PROGRESS;
  return TEXT;
}

/** oh-my-opencode's own progress notes, indented like agent output. */
const PROGRESS_NOTES = ['  No events for ', '  No meaningful work events', '  Waiting: '] as const;
const PROGRESS_INITIALS = 'NW';

function isFooter(body: string): boolean {
  // `Agent · model · 0.1s` (model may carry a ` (variant)` suffix).
  const last = body.lastIndexOf(' · ');
  if (last === -1 || body.indexOf(' · ') === last) return false;
  return /^\d+(?:\.\d+)?s$/.test(body.slice(last + 3).trimEnd());
}

/** Text between `open` and the next `close` in a raw (coloured) line. */
function between(raw: string, open: string, close: string): string | undefined {
  const start = raw.indexOf(open);
  if (start === -1) return undefined;
  const end = raw.indexOf(close, start + open.length);
  if (end === -1) return undefined;
  return stripAnsi(raw.slice(start + open.length, end));
}

/** One column-0 marker: its prefix, and what the line says after it (undefined: not the marker after all). */
interface MarkerRule {
  prefix: string;
  read: (rest: string, line: string) => Marker | Malformed | undefined;
}

/** In order: the first rule whose prefix matches decides. */
const MARKER_RULES: readonly MarkerRule[] = [
  { prefix: 'Session: ', read: (rest) => ({ type: 'session', id: rest.trim() }) },
  { prefix: 'Session ended with error: ', read: (rest) => ({ type: 'error', message: rest, final: true }) },
  { prefix: 'Server listening at ', read: (rest) => ({ type: 'server', url: rest.trim() }) },
  { prefix: 'Session never produced assistant output', read: (_, line) => ({ type: 'error', message: line, final: false }) },
  { prefix: 'Starting server on port ', read: () => QUIET },
  { prefix: 'Model: ', read: (rest) => ({ type: 'model', name: rest.trim() }) },
  { prefix: 'All tasks completed.', read: () => COMPLETED },
  { prefix: 'Attaching to existing server at ', read: (rest) => ({ type: 'server', url: rest.trim() }) },
  { prefix: 'Auto-selected port ', read: () => QUIET },
  { prefix: 'Port ', read: (_, line) => occupiedPort(line) },
  { prefix: '[session.error] ', read: (rest) => ({ type: 'error', message: rest, final: false }) },
  { prefix: '[event error] ', read: (rest) => ({ type: 'error', message: rest, final: false }) },
  { prefix: 'Error: ', read: (rest) => ({ type: 'error', message: rest, final: false }) },
  { prefix: 'Interrupted. Shutting down', read: (_, line) => ({ type: 'interrupted', message: line.trim() }) },
  { prefix: 'Check if todos were completed', read: () => QUIET },
  { prefix: '{"sessionId"', read: (_, line) => readSummary(line) },
];

/** First characters of every marker, to pass over most lines at once. */
const MARKER_INITIALS = new Set(MARKER_RULES.map((rule) => rule.prefix.charAt(0)));

/** Looks like the `--json` summary but is not JSON (cut short). */
interface Malformed {
  type: 'malformed';
  message: string;
}

function classifyMarker(line: string): Marker | Malformed | undefined {
  if (!MARKER_INITIALS.has(line.charAt(0))) return undefined;
  for (const rule of MARKER_RULES) {
    if (line.startsWith(rule.prefix)) return rule.read(line.slice(rule.prefix.length), line);
  }
  return undefined;
}

/** `Port N is occupied, attaching to existing server` (also "became occupied"). */
function occupiedPort(line: string): Marker | undefined {
  const m = /^Port (\d+) (?:is|became) occupied, attaching/.exec(line);
  return m ? { type: 'server', url: `http://127.0.0.1:${m[1]}` } : undefined;
}

function readSummary(line: string): Marker | Malformed | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (error) {
    return { type: 'malformed', message: `--json summary is not JSON: ${(error as Error).message}` };
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const summary = parsed as { sessionId?: unknown };
  return typeof summary.sessionId === 'string' ? { type: 'summary', summary: summary as JsonSummary } : undefined;
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

