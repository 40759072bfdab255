import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { DURATION_RANGE, parseDuration } from '../duration.js';
import { DEFAULT_RUNNER, RUNNER_NAMES } from '../runners/registry.js';
import { checkNeeds } from './needs-check.js';

const duration = z.string().refine(
  (text) => {
    try {
      parseDuration(text);
      return true;
    } catch {
      return false;
    }
  },
  { message: `expected a duration such as 90s, 5m, 2h or 1h30m, ${DURATION_RANGE}` },
);
const id = z.union([z.string().min(1), z.number()]).transform(String);
const commands = z.array(z.string().min(1)).min(1);

const settingsShape = {
  runner: z.enum(RUNNER_NAMES as [string, ...string[]]).optional(),
  agent: z.string().min(1).optional(),
  model: z.string().min(1).optional(),
  stallAfter: duration.optional(),
  timeout: duration.optional(),
  /** Verification commands in priority order; the first failing one is fed back to the agent. */
  verify: commands.optional(),
  /** Resumes with Baton's follow-up when a run exits incomplete, per phase. */
  maxResumes: z.number().int().min(0).max(20).optional(),
  /** Resumes feeding a failed verification back, per phase. */
  maxFixes: z.number().int().min(0).max(20).optional(),
  /** Wait for a usage limit to lift and resume the same session (default true). */
  waitOnLimits: z.boolean().optional(),
  /** USD for the phase, all its runs together (in defaults: for each phase); the phase blocks once it is spent. */
  maxCost: z.number().positive().max(1e6).optional(),
  /** Runner-specific settings, as with baton run --runner-option (e.g. the cmd runner's command). */
  runnerOptions: z.record(z.string(), z.union([z.string(), z.array(z.string())])).optional(),
};

const phaseSchema = z
  .object({
    id,
    title: z.string().min(1),
    prompt: z.string().min(1).optional(),
    promptFile: z.string().min(1).optional(),
    files: z.array(z.string().min(1)).optional(),
    /** Phases that must be committed before this one starts (a DAG; see maxParallel). */
    needs: z.array(id).optional(),
    /** Shell line run in the phase's worktree before its agent starts (overrides the plan's setup). */
    setup: z.string().min(1).optional(),
    ...settingsShape,
  })
  .strict()
  .refine((phase) => (phase.prompt === undefined) !== (phase.promptFile === undefined), {
    message: 'a phase needs exactly one of prompt (inline text) or promptFile',
  });

const planSchema = z
  .object({
    project: z.string().min(1),
    dir: z.string().min(1).default('.'),
    defaults: z.object(settingsShape).strict().default({}),
    /** USD for the whole plan run, every phase's runs together. */
    maxCost: z.number().positive().max(1e6).optional(),
    /** Phases that may run at once when their needs allow (default 1: serial, as without needs). */
    maxParallel: z.number().int().min(1).max(32).optional(),
    /** Shell line run in each phase's worktree before its agent starts. */
    setup: z.string().min(1).optional(),
    phases: z.array(phaseSchema).min(1),
    order: z.array(id).optional(),
  })
  .strict();

export type PlanInput = z.input<typeof planSchema>;

export interface PhaseSettings {
  runner: string;
  agent?: string;
  model?: string;
  stallAfterMs?: number;
  timeoutMs?: number;
  verify: string[];
  maxResumes: number;
  maxFixes: number;
  waitOnLimits: boolean;
  /** USD for all of the phase's runs together. */
  maxCost?: number;
  runnerOptions?: Record<string, string | string[]>;
}

export interface PlanPhase extends PhaseSettings {
  /** Why `agent: auto` chose the agent it did (baton route). */
  routedBecause?: string;
  id: string;
  title: string;
  prompt: string;
  promptFile?: string;
  files: string[];
  /** Ids of phases that must be committed first; [] when none (and in plans saved before needs existed). */
  needs: string[];
  /** The phase's own setup line, else the plan's (run in its worktree before the agent). */
  setup?: string;
}

/** A plan after validation: phases in execution order, prompts loaded, paths absolute. */
export interface Plan {
  file: string;
  project: string;
  dir: string;
  /** USD for the whole plan run. */
  maxCost?: number;
  /** Phases that may run at once (1: serial). */
  maxParallel: number;
  phases: PlanPhase[];
}

/** One located problem: "plan.yaml:12:5 phases[2].title: expected a string". */
export interface PlanIssue {
  file: string;
  line: number;
  column: number;
  field: string;
  message: string;
}

export class PlanError extends Error {
  constructor(readonly issues: PlanIssue[]) {
    super(issues.map((i) => `${i.file}:${i.line}:${i.column} ${i.field ? `${i.field}: ` : ''}${i.message}`).join('\n'));
    this.name = 'PlanError';
  }
}

function fieldName(path: (string | number)[]): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`)).join('');
}

function locate(doc: Document, counter: LineCounter, path: (string | number)[]): { line: number; column: number } {
  // The deepest node that exists along the path: a missing key is reported where its parent is.
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
    const range = node && typeof node === 'object' && 'range' in node ? node.range : undefined;
    if (range) {
      const { line, col } = counter.linePos(range[0]);
      return { line, column: col };
    }
    if (depth === 0 && doc.contents && 'range' in doc.contents && doc.contents.range) {
      const { line, col } = counter.linePos(doc.contents.range[0]);
      return { line, column: col };
    }
  }
  return { line: 1, column: 1 };
}

/** Reads, validates and normalises a plan file; every problem comes back located. */
export function loadPlan(file: string): Plan {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new PlanError([{ file: path, line: 1, column: 1, field: '', message: `cannot read the plan: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` }]);
  }
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new PlanError(
      doc.errors.map((e) => {
        const { line, col } = counter.linePos(e.pos[0]);
        return { file: path, line, column: col, field: '', message: `invalid YAML: ${e.message.split('\n')[0]}` };
      }),
    );
  }
  const parsed = planSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    throw new PlanError(
      parsed.error.issues.map((issue) => {
        const issuePath = issue.path as (string | number)[];
        const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
        const at = keys.length > 0 ? [...issuePath, keys[0]!] : issuePath;
        return { file: path, ...locate(doc, counter, at), field: fieldName(at), message: issue.message };
      }),
    );
  }
  return normalise(parsed.data, path, doc, counter);
}

function normalise(data: z.output<typeof planSchema>, file: string, doc: Document, counter: LineCounter): Plan {
  const issues: PlanIssue[] = [];
  const at = (path: (string | number)[], message: string) => issues.push({ file, ...locate(doc, counter, path), field: fieldName(path), message });
  const base = dirname(file);
  const seen = new Map<string, number>();
  data.phases.forEach((phase, i) => {
    if (seen.has(phase.id)) at(['phases', i, 'id'], `duplicate phase id "${phase.id}" (also phases[${seen.get(phase.id)}])`);
    else seen.set(phase.id, i);
  });
  const phases: PlanPhase[] = data.phases.map((phase, i) => {
    const merged = { ...data.defaults, ...Object.fromEntries(Object.entries(phase).filter(([, v]) => v !== undefined)) };
    let prompt = phase.prompt ?? '';
    let promptFile: string | undefined;
    if (phase.promptFile !== undefined) {
      promptFile = isAbsolute(phase.promptFile) ? phase.promptFile : resolve(base, phase.promptFile);
      if (!existsSync(promptFile)) at(['phases', i, 'promptFile'], `prompt file ${promptFile} does not exist`);
      else prompt = readFileSync(promptFile, 'utf8');
      if (existsSync(promptFile) && prompt.trim() === '') at(['phases', i, 'promptFile'], `prompt file ${promptFile} is empty`);
    }
    return {
      id: phase.id,
      title: phase.title,
      prompt,
      ...(promptFile !== undefined && { promptFile }),
      files: phase.files ?? [],
      needs: phase.needs ?? [],
      ...((phase.setup ?? data.setup) !== undefined && { setup: phase.setup ?? data.setup }),
      runner: merged.runner ?? DEFAULT_RUNNER,
      ...(merged.agent !== undefined && { agent: merged.agent }),
      ...(merged.model !== undefined && { model: merged.model }),
      ...(merged.stallAfter !== undefined && { stallAfterMs: parseDuration(merged.stallAfter) }),
      ...(merged.timeout !== undefined && { timeoutMs: parseDuration(merged.timeout) }),
      verify: merged.verify ?? [],
      maxResumes: merged.maxResumes ?? 2,
      maxFixes: merged.maxFixes ?? 2,
      waitOnLimits: merged.waitOnLimits ?? true,
      ...(merged.runnerOptions !== undefined && { runnerOptions: merged.runnerOptions }),
      ...(merged.maxCost !== undefined && { maxCost: merged.maxCost }),
    };
  });
  let ordered = phases;
  if (data.order) {
    const byId = new Map(phases.map((p) => [p.id, p]));
    const used = new Set<string>();
    ordered = [];
    data.order.forEach((phaseId, i) => {
      const phase = byId.get(phaseId);
      if (!phase) at(['order', i], `unknown phase "${phaseId}"; phases are ${[...byId.keys()].join(', ')}`);
      else if (used.has(phaseId)) at(['order', i], `phase "${phaseId}" appears twice in order`);
      else {
        used.add(phaseId);
        ordered.push(phase);
      }
    });
    const missing = phases.filter((p) => !used.has(p.id)).map((p) => p.id);
    if (missing.length > 0 && issues.length === 0) at(['order'], `order leaves out phase(s) ${missing.join(', ')}`);
  }
  checkNeeds(data.phases, data.order, at);
  const dir = resolve(base, data.dir);
  if (!existsSync(dir)) at(['dir'], `directory ${dir} does not exist`);
  if (issues.length > 0) throw new PlanError(issues);
  return { file, project: data.project, dir, ...(data.maxCost !== undefined && { maxCost: data.maxCost }), maxParallel: data.maxParallel ?? 1, phases: ordered };
}
