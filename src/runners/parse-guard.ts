import type { OutputParser, RunEvent } from '../events.js';
import { clip } from '../text.js';

/** What a parser tells its guard about the line in hand, besides the events it completes. */
export interface ParseReport {
  /** The line breaks the runner's output format (a JSON line cut short): counted, not a fault. */
  malformed(message: string): void;
}

const MESSAGE_LIMIT = 300;

/** "TypeError: x is undefined (at parseHeader (…/omo-lines.js:80:5))": enough to find the bug. */
function describeException(error: unknown): string {
  if (!(error instanceof Error)) return clip(`thrown: ${String(error)}`, MESSAGE_LIMIT);
  const frame = error.stack
    ?.split('\n')
    .map((line) => line.trim())
    .find((line) => line.startsWith('at '));
  return clip(`${error.name}: ${error.message}${frame ? ` (${frame})` : ''}`, MESSAGE_LIMIT);
}

/**
 * Runs a parser so that nothing a line does stops a run's supervision, without hiding it: an exception
 * thrown while parsing a line (a Baton bug) and a line the parser reports as malformed (the agent's
 * output broke its own format) each become an `unparsed` event naming the line, which the digest counts.
 * The guard numbers the lines, so parsers need not.
 */
export function guardParser(create: (report: ParseReport) => OutputParser): OutputParser {
  let lineNumber = 0;
  let notes: RunEvent[] | null = null;
  const note = (cause: 'malformed' | 'exception', message: string): void => {
    (notes ??= []).push({ kind: 'unparsed', cause, line: lineNumber, message: clip(message, MESSAGE_LIMIT) });
  };
  const parser = create({ malformed: (message) => note('malformed', message) });
  const failed = (error: unknown): RunEvent[] => {
    note('exception', describeException(error));
    return [];
  };
  // Parsers may answer with a shared frozen empty array, so never push onto theirs.
  const withNotes = (events: RunEvent[]): RunEvent[] =>
    notes === null ? events : events.length === 0 ? notes : [...events, ...notes];
  return {
    push(line: string): RunEvent[] {
      lineNumber += 1;
      notes = null;
      let events: RunEvent[];
      try {
        events = parser.push(line);
      } catch (error) {
        events = failed(error);
      }
      return notes === null ? events : withNotes(events);
    },
    end(): RunEvent[] {
      notes = null;
      let events: RunEvent[];
      try {
        events = parser.end();
      } catch (error) {
        events = failed(error);
      }
      return withNotes(events);
    },
  };
}
