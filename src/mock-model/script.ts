/**
 * The script a mock model replays: what each agent request gets back, in order.
 * Scripts enter through `parseScript`/`loadScript`, which validate with zod and name the bad field;
 * everything after that works on the normalised `Script` type.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';

const toolCallSchema = z
  .object({
    name: z.string().min(1),
    /** Arguments as an object; strings may contain `{{workdir}}`. */
    args: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

const errorSchema = z
  .object({
    status: z.number().int().min(400).max(599),
    message: z.string(),
    /** Sent as a `retry-after` header; meaningful with status 429 or 503. */
    retryAfterSeconds: z.number().int().nonnegative().optional(),
  })
  .strict();

// One flat object rather than a z.union: union failures report every branch, while a flat
// object reports the one field that is wrong. Which kind of step it is gets checked below.
const stepSchema = z
  .object({
    text: z.string().optional(),
    tools: z.array(toolCallSchema).min(1).optional(),
    error: errorSchema.optional(),
    hang: z.literal(true).optional(),
    malformed: z.literal(true).optional(),
    delayMs: z.number().int().nonnegative().default(0),
    times: z.number().int().positive().default(1),
    /**
     * Only requests whose working directory's last segment is this take the step; others skip it.
     * Agents running side by side in their own folders (plan worktrees) each follow their own steps.
     */
    workdirName: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((step, ctx) => {
    const kinds = [
      step.text !== undefined || step.tools !== undefined ? 'text/tools' : null,
      step.error ? 'error' : null,
      step.hang ? 'hang' : null,
      step.malformed ? 'malformed' : null,
    ].filter((kind) => kind !== null);
    if (kinds.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message:
          kinds.length === 0
            ? 'a step needs one of text, tools, error, hang or malformed'
            : `a step must be exactly one kind, got ${kinds.join(' + ')}`,
      });
    }
  });

const answerSchema = z.object({ text: z.string() }).strict();

const scriptSchema = z
  .object({
    title: z.string().default('Scripted session'),
    steps: z.array(stepSchema),
    onExhausted: answerSchema.default({ text: 'Script exhausted.' }),
  })
  .strict();

export type ScriptedToolCall = z.infer<typeof toolCallSchema>;
export type ScriptedError = z.infer<typeof errorSchema>;

/** What one step does, once validated. `times` and `delayMs` apply to every kind. */
export type ScriptStep = { times: number; delayMs: number; workdirName?: string } & (
  | { kind: 'answer'; text: string | undefined; tools: ScriptedToolCall[] }
  | { kind: 'error'; error: ScriptedError }
  | { kind: 'hang' }
  | { kind: 'malformed' }
);

export interface Script {
  /** Answer to title-generation requests (requests without tools). */
  title: string;
  steps: ScriptStep[];
  /** Answer once every step has been used up. */
  onExhausted: { text: string };
}

/** The JSON a script file holds, before defaults are applied. */
export type ScriptInput = z.input<typeof scriptSchema>;

export class ScriptError extends Error {
  override name = 'ScriptError';
}

/** Validates a script; `source` (a file name) prefixes every message. */
export function parseScript(input: unknown, source = 'script'): Script {
  const result = scriptSchema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
    throw new ScriptError(`${source}: invalid script\n  ${problems.join('\n  ')}`);
  }
  const { title, steps, onExhausted } = result.data;
  return { title, onExhausted, steps: steps.map(normaliseStep) };
}

export async function loadScript(path: string): Promise<Script> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ScriptError(`${path}: cannot read script (${(error as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ScriptError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  return parseScript(json, path);
}

function normaliseStep(step: z.output<typeof stepSchema>): ScriptStep {
  const { times, delayMs } = step;
  const common = { times, delayMs, ...(step.workdirName !== undefined && { workdirName: step.workdirName }) };
  if (step.error) return { kind: 'error', error: step.error, ...common };
  if (step.hang) return { kind: 'hang', ...common };
  if (step.malformed) return { kind: 'malformed', ...common };
  return { kind: 'answer', text: step.text, tools: step.tools ?? [], ...common };
}

/** `["steps", 2, "tools", 0, "name"]` → `steps[2].tools[0].name`. */
function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((key, index) => (typeof key === 'number' ? `[${key}]` : index === 0 ? String(key) : `.${String(key)}`))
    .join('');
}
