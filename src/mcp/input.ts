import { z } from 'zod';

/**
 * Bounds of every tool input. Models do send megabytes by mistake (a whole log pasted as a prompt);
 * each field stops it at the boundary with a message naming the field, so no tool ever works on an
 * unbounded input.
 */
export const LIMITS = {
  /** A prompt or task text: generous for a phase prompt, far below the transport's line bound. */
  text: 1_000_000,
  path: 4_096,
  name: 200,
  list: 50,
} as const;

export const text = () => z.string().min(1).max(LIMITS.text);
export const path = () => z.string().min(1).max(LIMITS.path);
export const name = () => z.string().min(1).max(LIMITS.name);

/**
 * A tool's input object that refuses unknown fields. The SDK's own raw-shape schemas strip them
 * silently, so `status {"id": …}` used to answer about every run instead of the one asked for; now
 * the caller hears which field is unknown and which ones the tool takes.
 */
export function strictInput<Shape extends z.ZodRawShape>(shape: Shape) {
  const expected = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown argument${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}; this tool takes ${expected || 'no arguments'}` : undefined),
  });
}
