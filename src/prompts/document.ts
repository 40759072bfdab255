import { readPromptSpec, type PromptSpec } from '../detect/prompt-spec.js';

/**
 * A phase prompt parsed once for the lint rules: its lines, its sections by heading and its numbered
 * steps, each with 1-based line numbers. Code fences are skipped: a heading, step or instruction shown
 * inside ``` is an example, not part of the prompt's structure.
 */
export interface PromptLine {
  /** 1-based. */
  number: number;
  text: string;
}

export interface Section {
  /** Heading text without the #s; '' for the text before the first heading. */
  title: string;
  /** Line of the heading; 0 for the text before the first heading. */
  line: number;
  /** Lines under the heading, outside code fences. */
  body: PromptLine[];
}

export interface Step {
  /** The number as written (1., 2), …). */
  ordinal: number;
  /** Line of the numbered item. */
  line: number;
  /** The step's text without its number, continuation lines joined with spaces. */
  text: string;
  /** The step's own lines: the numbered line (number stripped) and its indented continuations. */
  lines: PromptLine[];
}

export interface PromptDocument {
  text: string;
  /** Every line outside code fences (fence delimiters excluded). */
  prose: PromptLine[];
  sections: Section[];
  /** Sections Baton reads expected files from ("## Files to Create/Modify" and the like). */
  filesSections: Section[];
  /** The section Baton reads steps and the verification from ("## Steps"), when there is one. */
  stepsSection?: Section;
  /** Numbered items of the steps section, in order. */
  steps: Step[];
  /** Numbered items elsewhere, for explaining a prompt whose steps lack a "## Steps" heading. */
  strayNumbered: PromptLine[];
  /** What Baton's run detector will read from this prompt. */
  spec: PromptSpec;
}

const HEADING = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/;
const FENCE = /^\s*(```|~~~)/;
const NUMBERED = /^\s{0,3}(\d+)[.)]\s+(.*)$/;
const CONTINUATION = /^\s{2,}\S/;

// Asking readPromptSpec itself which headings count keeps lint and the run detector in agreement.
function isFilesHeading(title: string): boolean {
  return readPromptSpec(`## ${title}\n- \`probe/file.txt\`\n`).expectedFiles.length > 0;
}

function isStepsHeading(title: string): boolean {
  return readPromptSpec(`## ${title}\n1. Run \`make\`\n`).verification === 'make';
}

function stepsOf(section: Section): Step[] {
  const steps: Step[] = [];
  let current: Step | undefined;
  for (const line of section.body) {
    const numbered = NUMBERED.exec(line.text);
    if (numbered) {
      const text = (numbered[2] ?? '').trim();
      current = { ordinal: Number(numbered[1]), line: line.number, text, lines: [{ number: line.number, text }] };
      steps.push(current);
    } else if (current && CONTINUATION.test(line.text)) {
      const text = line.text.trim();
      current.text += ` ${text}`;
      current.lines.push({ number: line.number, text });
    } else {
      current = undefined;
    }
  }
  return steps;
}

export function parsePromptDocument(text: string): PromptDocument {
  const prose: PromptLine[] = [];
  const sections: Section[] = [];
  let current: Section = { title: '', line: 0, body: [] };
  let inFence = false;
  text.split(/\r?\n/).forEach((raw, index) => {
    const number = index + 1;
    if (FENCE.test(raw)) {
      inFence = !inFence;
      return;
    }
    if (inFence) return;
    const line = { number, text: raw };
    prose.push(line);
    const heading = HEADING.exec(raw);
    if (heading) {
      sections.push(current);
      current = { title: heading[1] ?? '', line: number, body: [] };
    } else {
      current.body.push(line);
    }
  });
  sections.push(current);

  const filesSections = sections.filter((s) => s.line > 0 && isFilesHeading(s.title));
  const stepsSection = sections.find((s) => s.line > 0 && isStepsHeading(s.title));
  const strayNumbered = sections
    .filter((s) => s !== stepsSection)
    .flatMap((s) => s.body.filter((line) => NUMBERED.test(line.text)));
  return {
    text,
    prose,
    sections,
    filesSections,
    ...(stepsSection && { stepsSection }),
    steps: stepsSection ? stepsOf(stepsSection) : [],
    strayNumbered,
    spec: readPromptSpec(text),
  };
}
