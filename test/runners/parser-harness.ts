/** What every runner's parser test needs: feed lines, read captured fixtures, pick events by kind. */
import { readFileSync } from 'node:fs';
import type { OutputParser, RunEvent } from '../../src/events.js';

/** Every event a fresh parser reports for `lines`, including what it says at the end. */
export function parseLines(parser: OutputParser, lines: readonly string[]): RunEvent[] {
  const events: RunEvent[] = [];
  for (const line of lines) events.push(...parser.push(line));
  events.push(...parser.end());
  return events;
}

/** A captured output file's lines, without the empty string after its final newline. */
export function fixtureLines(path: string): string[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export function only<K extends RunEvent['kind']>(events: RunEvent[], kind: K): Extract<RunEvent, { kind: K }>[] {
  return events.filter((e): e is Extract<RunEvent, { kind: K }> => e.kind === kind);
}

/** Paths of a captured run made relative to its work dir (`/tmp/<capture>/runs/<name>/work/`). */
export function relativeToCapture(path: string | undefined): string | undefined {
  return path?.replace(/^\/tmp\/[a-z-]+-capture\/runs\/[^/]+\/work\//, '');
}
