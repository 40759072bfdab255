/**
 * What a phase prompt promises, read from the proven template:
 * a "## Files to Create/Modify" section and numbered "## Steps" whose last step runs the verification.
 */
export interface PromptSpec {
  /** Paths listed under "Files to Create/Modify", as written (relative to the run's dir unless absolute). */
  expectedFiles: string[];
  /** The command the last step asks the agent to run, e.g. `cargo check --workspace`. */
  verification?: string;
}

const HEADING = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const NUMBERED_STEP = /^\s{0,3}(\d+)[.)]\s+(.*)$/;
const BULLET = /^\s*(?:[-*+]|\d+[.)])\s+(.*)$/;
const BACKTICKED = /`([^`\n]+)`/g;
const PATH_LIKE = /^(?:\.{0,2}\/)?[\w@.+-]+(?:\/[\w@.+\-[\]]+)*(?:\.[\w]+|\/)$|^(?:\.{0,2}\/)?[\w@.+-]+(?:\/[\w@.+\-[\]]+)+$/;
const FILES_HEADING = /\bfiles?\b.*\b(create|modify|change|touch|edit|write)/i;
const STEPS_HEADING = /^steps\b/i;
const NOT_FILES = new Set(['EOF']);

interface Section {
  title: string;
  lines: string[];
}

function sections(prompt: string): Section[] {
  const result: Section[] = [];
  let current: Section = { title: '', lines: [] };
  let inFence = false;
  for (const line of prompt.split(/\r?\n/)) {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    const heading = inFence ? null : HEADING.exec(line);
    if (heading) {
      result.push(current);
      current = { title: heading[2] ?? '', lines: [] };
    } else {
      current.lines.push(line);
    }
  }
  result.push(current);
  return result;
}

function looksLikePath(token: string): boolean {
  const candidate = token.trim().replace(/[,:;]+$/, '');
  if (!candidate || candidate.includes(' ') || NOT_FILES.has(candidate)) return false;
  if (/^https?:/.test(candidate)) return false;
  return PATH_LIKE.test(candidate) && !candidate.endsWith('/');
}

function filesIn(section: Section): string[] {
  const found: string[] = [];
  let inFence = false;
  for (const line of section.lines) {
    if (/^\s*(```|~~~)/.test(line)) {
      inFence = !inFence;
      continue;
    }
    if (inFence) continue;
    const bullet = BULLET.exec(line);
    if (!bullet) continue;
    const body = bullet[1] ?? '';
    const quoted = [...body.matchAll(BACKTICKED)].map((m) => m[1] ?? '').filter(looksLikePath);
    if (quoted.length > 0) {
      found.push(...quoted.map((q) => q.trim()));
      continue;
    }
    // Unquoted: the first word after an optional verb like "Create"/"Modify".
    const words = body.replace(/^\*\*|\*\*$/g, '').split(/\s+/);
    const first = (/^(create|modify|edit|update|new|add)\b:?$/i.test(words[0] ?? '') ? words[1] : words[0]) ?? '';
    const cleaned = first.replace(/^\*\*|\*\*$|[,:;]+$/g, '');
    if (looksLikePath(cleaned)) found.push(cleaned);
  }
  return [...new Set(found)];
}

/** The command in a step such as "Run `cargo check --workspace 2>&1`, fix errors, report final result". */
export function commandInStep(step: string): string | undefined {
  if (!/\b(run|execute|verify|check|test|build)\b/i.test(step)) return undefined;
  const quoted = [...step.matchAll(BACKTICKED)].map((m) => (m[1] ?? '').trim()).filter(Boolean);
  if (quoted.length > 0) return quoted[0];
  const run = /\brun\s+(.+?)(?:,|;|\s+and\s+|\s+then\s+|\.\s|\.$|$)/i.exec(step);
  const candidate = run?.[1]?.trim();
  if (!candidate || /^(the|all|any|a|an|it|tests?|verification)\b/i.test(candidate)) return undefined;
  return candidate;
}

export function readPromptSpec(prompt: string): PromptSpec {
  const spec: PromptSpec = { expectedFiles: [] };
  const all = sections(prompt);
  for (const section of all) {
    if (FILES_HEADING.test(section.title)) spec.expectedFiles.push(...filesIn(section));
  }
  spec.expectedFiles = [...new Set(spec.expectedFiles)];
  const steps = all.find((s) => STEPS_HEADING.test(s.title));
  if (steps) {
    let last: string | undefined;
    for (const line of steps.lines) {
      const match = NUMBERED_STEP.exec(line);
      if (match) last = match[2];
      else if (last !== undefined && /^\s{2,}\S/.test(line)) last += ` ${line.trim()}`;
    }
    if (last) {
      const command = commandInStep(last);
      if (command) spec.verification = command;
    }
  }
  return spec;
}

/** Normalises a shell command for comparison: drops redirections of stderr and surrounding noise. */
export function normaliseCommand(command: string): string {
  return command
    .replace(/\s+2>&1\b/g, '')
    .replace(/\s*\|\s*(tail|head)\b.*$/, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Whether a command the agent ran is the verification (possibly wrapped, e.g. `cd x && cargo check`). */
export function isVerificationRun(ran: string, verification: string): boolean {
  const wanted = normaliseCommand(verification);
  return wanted.length > 0 && normaliseCommand(ran).includes(wanted);
}
