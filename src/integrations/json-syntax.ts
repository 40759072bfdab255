/**
 * Where a JSON text first goes wrong. Node's JSON.parse names a position for some mistakes but not
 * for others ("Unexpected token 'x', … is not valid JSON"), and a person fixing a config file
 * needs a line and column either way.
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

class Stop extends Error {
  constructor(readonly offset: number, readonly reason: string) {
    super(reason);
  }
}

/** Undefined when `text` is valid JSON; otherwise the first offending position and what was expected there. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  let i = 0;
  const fail = (reason: string): never => {
    throw new Stop(i, i >= text.length ? `unexpected end of input (${reason})` : `unexpected ${JSON.stringify(text[i])} (${reason})`);
  };
  const skipSpace = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const expect = (char: string, reason: string) => {
    if (text[i] !== char) fail(reason);
    i++;
  };
  const string = () => {
    expect('"', 'expected a double-quoted string');
    for (;;) {
      if (i >= text.length) fail('unterminated string');
      const c = text[i]!;
      if (c === '"') return void i++;
      if (c < ' ') fail('control character in a string');
      if (c === '\\') {
        i++;
        const e = text[i];
        if (e === 'u') {
          for (let k = 1; k <= 4; k++) {
            if (!/[0-9a-fA-F]/.test(text[i + k] ?? '')) {
              i += k;
              fail('bad \\u escape');
            }
          }
          i += 5;
          continue;
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) fail('bad escape');
      }
      i++;
    }
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!match || match[0] === '-' || match[0] === '') fail('expected a value');
    i += match![0].length;
  };
  const value = (): void => {
    skipSpace();
    const c = text[i];
    if (c === '{') return object();
    if (c === '[') return array();
    if (c === '"') return string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return number();
    for (const literal of ['true', 'false', 'null']) {
      if (text.startsWith(literal, i)) return void (i += literal.length);
    }
    fail('expected a value');
  };
  const object = () => {
    i++;
    skipSpace();
    if (text[i] === '}') return void i++;
    for (;;) {
      skipSpace();
      string();
      skipSpace();
      expect(':', "expected ':' after a property name");
      value();
      skipSpace();
      if (text[i] === ',') {
        i++;
        skipSpace();
        if (text[i] === '}') fail('trailing comma');
        continue;
      }
      expect('}', "expected ',' or '}'");
      return;
    }
  };
  const array = () => {
    i++;
    skipSpace();
    if (text[i] === ']') return void i++;
    for (;;) {
      value();
      skipSpace();
      if (text[i] === ',') {
        i++;
        skipSpace();
        if (text[i] === ']') fail('trailing comma');
        continue;
      }
      expect(']', "expected ',' or ']'");
      return;
    }
  };
  try {
    value();
    skipSpace();
    if (i < text.length) fail('more text after the JSON value');
    return undefined;
  } catch (error) {
    if (!(error instanceof Stop)) throw error;
    const before = text.slice(0, error.offset).split('\n');
    return { offset: error.offset, line: before.length, column: (before.at(-1)?.length ?? 0) + 1, message: error.reason };
  }
}
