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

/**
 * One thing the prompt asks for, whatever its shape: a numbered step of "## Steps", a numbered or
 * bulleted item elsewhere, or a sentence of plain prose. Rules that judge what the agent is told
 * read these, so a prompt of sentences is held to the same do's and don'ts as a numbered one.
 */
export interface Instruction {
  kind: 'step' | 'numbered' | 'bullet' | 'sentence';
  /** Line where it starts. */
  line: number;
  /** Its text, without the number or bullet, lines joined with spaces. */
  text: string;
  /** Its own lines (number or bullet stripped from the first). */
  lines: PromptLine[];
  /** The number as written, for steps and numbered items. */
  ordinal?: number;
  /** Instructions with no blank line or heading between them share a block: one list or paragraph. */
  block: number;
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
  /** Every instruction outside the Files sections, in order (the steps among them). */
  instructions: Instruction[];
  /** What Baton's run detector will read from this prompt. */
  spec: PromptSpec;
}

const HEADING = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/;
const FENCE = /^\s*(```|~~~)/;
const NUMBERED = /^\s{0,3}(\d+)[.)]\s+(.*)$/;
const CONTINUATION = /^\s{2,}\S/;
const BULLET = /^\s*[-*+]\s+(.*)$/;
const BACKTICKED = /`[^`\n]*`/g;
// A sentence ends at . ! or ? before a space; "e.g." and "i.e." do not end one.
const SENTENCE_END = /(?<!\b(?:e\.g|i\.e|etc|vs))[.!?]+(?=\s)/g;

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

/** How a finding names an instruction: "step 3", "item 2", "the item", "the sentence". */
export function instructionName(instruction: Instruction): string {
  if (instruction.kind === 'step') return `step ${instruction.ordinal}`;
  if (instruction.kind === 'numbered') return `item ${instruction.ordinal}`;
  return instruction.kind === 'bullet' ? 'the item' : 'the sentence';
}

/** The sentences of a paragraph (its lines joined by \n), each with its own lines. */
function sentencesOf(paragraph: PromptLine[], block: number): Instruction[] {
  const joined = paragraph.map((l) => l.text).join('\n');
  // Backticked code may hold a full stop ("`cat > x <<'EOF' ... EOF`"); it never ends a sentence.
  const masked = joined.replace(BACKTICKED, (m) => 'x'.repeat(m.length));
  const ends = [...masked.matchAll(SENTENCE_END)].map((m) => m.index + m[0].length);
  const found: Instruction[] = [];
  let start = 0;
  for (const end of [...ends, joined.length]) {
    const raw = joined.slice(start, end);
    const lead = raw.length - raw.trimStart().length;
    const firstLine = (joined.slice(0, start + lead).match(/\n/g)?.length ?? 0);
    const pieces = raw.trim().split('\n');
    start = end;
    if (pieces.join('').trim() === '') continue;
    const lines = pieces.map((piece, i) => ({ number: paragraph[firstLine + i]!.number, text: piece.trim() })).filter((l) => l.text !== '');
    found.push({ kind: 'sentence', line: lines[0]!.number, text: lines.map((l) => l.text).join(' '), lines, block });
  }
  return found;
}

/** The instructions of a section other than the Steps one: list items and the sentences of paragraphs. */
function instructionsOf(section: Section, nextBlock: () => number): Instruction[] {
  const found: Instruction[] = [];
  let block = nextBlock();
  let item: Instruction | undefined;
  let paragraph: PromptLine[] = [];
  const endParagraph = () => {
    if (paragraph.length > 0) found.push(...sentencesOf(paragraph, block));
    paragraph = [];
  };
  for (const line of section.body) {
    const numbered = NUMBERED.exec(line.text);
    const bullet = numbered ? null : BULLET.exec(line.text);
    if (line.text.trim() === '') {
      endParagraph();
      item = undefined;
      block = nextBlock();
    } else if (numbered || bullet) {
      endParagraph();
      const body = ((numbered ? numbered[2] : bullet?.[1]) ?? '').trim();
      item = { kind: numbered ? 'numbered' : 'bullet', line: line.number, text: body, lines: [{ number: line.number, text: body }], block, ...(numbered && { ordinal: Number(numbered[1]) }) };
      found.push(item);
    } else if (item && CONTINUATION.test(line.text)) {
      const body = line.text.trim();
      item.text += ` ${body}`;
      item.lines.push({ number: line.number, text: body });
    } else {
      item = undefined;
      paragraph.push(line);
    }
  }
  endParagraph();
  return found;
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
  const steps = stepsSection ? stepsOf(stepsSection) : [];
  let blocks = 0;
  const nextBlock = () => blocks++;
  const instructions = sections
    .filter((s) => !filesSections.includes(s))
    .flatMap((s): Instruction[] => {
      if (s !== stepsSection || steps.length === 0) return instructionsOf(s, nextBlock);
      const block = nextBlock();
      return steps.map((step) => ({ kind: 'step', line: step.line, text: step.text, lines: step.lines, ordinal: step.ordinal, block }));
    });
  return {
    text,
    prose,
    sections,
    filesSections,
    ...(stepsSection && { stepsSection }),
    steps,
    strayNumbered,
    instructions,
    spec: readPromptSpec(text),
  };
}
