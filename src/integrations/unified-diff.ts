/**
 * A unified diff of two small texts (config and markdown files), for `baton init --dry-run`.
 * Longest-common-subsequence over lines; texts too large for that are shown as a whole replacement.
 */
const CONTEXT = 3;
const MAX_CELLS = 4_000_000;

type Op = { kind: ' ' | '-' | '+'; line: string };

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

function diffOps(a: string[], b: string[]): Op[] {
  if (a.length * b.length > MAX_CELLS) return [...a.map((line) => ({ kind: '-' as const, line })), ...b.map((line) => ({ kind: '+' as const, line }))];
  const width = b.length + 1;
  const lcs = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i * width + j] = a[i] === b[j] ? lcs[(i + 1) * width + j + 1]! + 1 : Math.max(lcs[(i + 1) * width + j]!, lcs[i * width + j + 1]!);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      ops.push({ kind: ' ', line: a[i]! });
      i++;
      j++;
    } else if (lcs[(i + 1) * width + j]! >= lcs[i * width + j + 1]!) ops.push({ kind: '-', line: a[i++]! });
    else ops.push({ kind: '+', line: b[j++]! });
  }
  while (i < a.length) ops.push({ kind: '-', line: a[i++]! });
  while (j < b.length) ops.push({ kind: '+', line: b[j++]! });
  return ops;
}

/** `before` null means the file does not exist yet. Empty string when the texts are equal. */
export function unifiedDiff(file: string, before: string | null, after: string): string {
  if (before === after) return '';
  const ops = diffOps(splitLines(before ?? ''), splitLines(after));
  const header = [before === null ? '--- /dev/null' : `--- a/${file}`, `+++ b/${file}`];
  const hunks: string[] = [];
  let k = 0;
  // Line numbers (1-based) in a and b at each op index.
  const aAt: number[] = [];
  const bAt: number[] = [];
  let an = 1;
  let bn = 1;
  for (const op of ops) {
    aAt.push(an);
    bAt.push(bn);
    if (op.kind !== '+') an++;
    if (op.kind !== '-') bn++;
  }
  while (k < ops.length) {
    if (ops[k]!.kind === ' ') {
      k++;
      continue;
    }
    const start = Math.max(0, k - CONTEXT);
    let end = k;
    // Extend while the next change is within 2×CONTEXT unchanged lines.
    for (;;) {
      while (end < ops.length && ops[end]!.kind !== ' ') end++;
      let next = end;
      while (next < ops.length && ops[next]!.kind === ' ') next++;
      if (next < ops.length && next - end <= CONTEXT * 2) end = next;
      else break;
    }
    const stop = Math.min(ops.length, end + CONTEXT);
    const slice = ops.slice(start, stop);
    const aCount = slice.filter((o) => o.kind !== '+').length;
    const bCount = slice.filter((o) => o.kind !== '-').length;
    const aStart = aCount === 0 ? aAt[start]! - 1 : aAt[start]!;
    const bStart = bCount === 0 ? bAt[start]! - 1 : bAt[start]!;
    hunks.push(`@@ -${aStart},${aCount} +${bStart},${bCount} @@`, ...slice.map((o) => `${o.kind}${o.line}`));
    k = stop;
  }
  return `${[...header, ...hunks].join('\n')}\n`;
}
