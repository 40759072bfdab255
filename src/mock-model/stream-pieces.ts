/**
 * Streamed answers arrive in pieces so clients exercise their delta assembly, as with a real model.
 * The split is deterministic and never cuts a character (surrogate pairs stay whole).
 */

/** Splits text into at most `maxPieces` non-empty pieces of about equal length. */
export function splitIntoPieces(text: string, maxPieces = 3): string[] {
  const chars = Array.from(text);
  if (chars.length === 0) return [];
  const size = Math.ceil(chars.length / maxPieces);
  const pieces: string[] = [];
  for (let start = 0; start < chars.length; start += size) {
    pieces.push(chars.slice(start, start + size).join(''));
  }
  return pieces;
}
