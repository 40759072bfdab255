/** Colours only when writing to a terminal that wants them. */
export function colourEnabled(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY) && env.TERM !== 'dumb';
}

export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
  state(state: string): string;
}

const wrap = (open: number, close: number) => (text: string) => `\x1b[${open}m${text}\x1b[${close}m`;

export function makeStyle(enabled: boolean): Style {
  const id = (text: string) => text;
  const bold = enabled ? wrap(1, 22) : id;
  const dim = enabled ? wrap(2, 22) : id;
  const red = enabled ? wrap(31, 39) : id;
  const green = enabled ? wrap(32, 39) : id;
  const yellow = enabled ? wrap(33, 39) : id;
  const cyan = enabled ? wrap(36, 39) : id;
  const byState: Record<string, (t: string) => string> = {
    queued: dim,
    running: cyan,
    stalled: yellow,
    completed: green,
    incomplete: yellow,
    limited: yellow,
    failed: red,
    killed: red,
  };
  return { bold, dim, red, green, yellow, cyan, state: (s) => bold((byState[s] ?? id)(s)) };
}
