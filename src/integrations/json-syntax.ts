import { applyEdits, findNodeAtLocation, format, modify, parse, parseTree, ParseErrorCode, type FormattingOptions, type JSONPath, type ParseError } from 'jsonc-parser';

/**
 * Located JSON errors and formatting-preserving edits, through Microsoft's jsonc-parser (the parser
 * behind VS Code's settings files). Node's JSON.parse names a position for some mistakes but not for
 * others, and rewriting a user's `.mcp.json` through JSON.stringify would reflow their layout; a
 * person fixing or reviewing a config file needs a line and column, and a diff of only what changed.
 * Parsing is strict JSON here (no comments, no trailing commas), as Claude Code reads `.mcp.json`.
 */
export interface JsonSyntaxError {
  /** Offset into the text, 0-based. */
  offset: number;
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units. */
  column: number;
  message: string;
}

const REASONS: Partial<Record<ParseErrorCode, string>> = {
  [ParseErrorCode.InvalidSymbol]: 'expected a value',
  [ParseErrorCode.InvalidNumberFormat]: 'bad number',
  [ParseErrorCode.PropertyNameExpected]: 'expected a double-quoted string',
  [ParseErrorCode.ValueExpected]: 'expected a value',
  [ParseErrorCode.ColonExpected]: "expected ':' after a property name",
  [ParseErrorCode.CommaExpected]: "expected ','",
  [ParseErrorCode.CloseBraceExpected]: "expected ',' or '}'",
  [ParseErrorCode.CloseBracketExpected]: "expected ',' or ']'",
  [ParseErrorCode.EndOfFileExpected]: 'more text after the JSON value',
  [ParseErrorCode.InvalidCommentToken]: 'comments are not JSON',
  [ParseErrorCode.UnexpectedEndOfComment]: 'comments are not JSON',
  [ParseErrorCode.UnexpectedEndOfString]: 'unterminated string',
  [ParseErrorCode.UnexpectedEndOfNumber]: 'bad number',
  [ParseErrorCode.InvalidUnicode]: 'bad \\u escape',
  [ParseErrorCode.InvalidEscapeCharacter]: 'bad escape',
  [ParseErrorCode.InvalidCharacter]: 'control character in a string',
};

/** jsonc-parser places string errors at the string's start; a person wants the offending character. */
function pinpoint(text: string, error: ParseError): number {
  const token = text.slice(error.offset, error.offset + error.length);
  const inside =
    error.error === ParseErrorCode.InvalidEscapeCharacter ? /\\[^"\\/bfnrtu]/.exec(token)?.index
    : error.error === ParseErrorCode.InvalidUnicode ? /\\u(?![0-9a-fA-F]{4})/.exec(token)?.index
    : error.error === ParseErrorCode.InvalidCharacter ? /[\u0000-\u001f]/.exec(token)?.index
    : undefined;
  if (inside === undefined) return error.offset;
  return error.offset + inside + (error.error === ParseErrorCode.InvalidCharacter ? 0 : 1);
}

/** Undefined when `text` is valid JSON; otherwise the first offending position and what was expected there. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  const errors: ParseError[] = [];
  parse(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const first = errors[0];
  if (!first) return undefined;
  const offset = pinpoint(text, first);
  const char = text[offset];
  const afterComma = /,\s*$/.test(text.slice(0, offset)) && (char === '}' || char === ']');
  // An unknown word where a key belongs is reported as a bad symbol, then as the key it failed to be.
  const code = first.error === ParseErrorCode.InvalidSymbol && errors[1]?.error === ParseErrorCode.PropertyNameExpected ? errors[1].error : first.error;
  const reason = afterComma ? 'trailing comma' : REASONS[code] ?? 'not JSON';
  const before = text.slice(0, offset).split('\n');
  return {
    offset,
    line: before.length,
    column: (before.at(-1)?.length ?? 0) + 1,
    message: char === undefined ? `unexpected end of input (${reason})` : `unexpected ${JSON.stringify(char)} (${reason})`,
  };
}

/** The indentation and line ends the file already uses (two spaces and \n if it shows none). */
function formattingOf(text: string): FormattingOptions {
  const indent = /\n([ \t]+)\S/.exec(text)?.[1] ?? '  ';
  return { insertSpaces: !indent.startsWith('\t'), tabSize: indent.startsWith('\t') ? 1 : indent.length, eol: text.includes('\r\n') ? '\r\n' : '\n' };
}

/**
 * `text` with the value at `path` set (missing parent objects created), every other byte as the
 * user wrote it; new text is indented like the rest of the file. `text` must be valid JSON.
 */
export function setJsonValue(text: string, path: JSONPath, value: unknown): string {
  let result = text;
  // modify's own formattingOptions reformat the whole line an edit touches, the user's neighbouring
  // values included; formatting only the inserted text keeps those as they were.
  const parent = path.slice(0, -1);
  const root = parseTree(text);
  const wasEmpty = root !== undefined && findNodeAtLocation(root, parent)?.children?.length === 0;
  for (const edit of modify(text, path, value, {}).sort((a, b) => b.offset - a.offset)) {
    result = applyEdits(result, [edit]);
    if (!spansLines(text, parent)) continue;
    // Into an empty {}, the braces themselves need new lines around the value.
    const container = wasEmpty ? findNodeAtLocation(parseTree(result)!, parent) : undefined;
    const range = container ? { offset: container.offset, length: container.length } : { offset: edit.offset, length: edit.content.length };
    result = applyEdits(result, format(result, range, { ...formattingOf(text), keepLines: false }));
  }
  return result;
}

/** Whether the nearest non-empty container of `path` is laid out over several lines; if not, a new value goes inline too. */
function spansLines(text: string, path: JSONPath): boolean {
  const root = parseTree(text);
  if (!root) return true;
  for (let depth = path.length; depth >= 0; depth--) {
    const node = findNodeAtLocation(root, path.slice(0, depth));
    // An empty {} shows no layout of its own; its parent's decides.
    if (node && (node.children?.length ?? 0) > 0) return text.slice(node.offset, node.offset + node.length).includes('\n');
  }
  return true;
}
