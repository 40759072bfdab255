import { usageError } from '../errors.js';

export interface PhasePromptInput {
  /** The phase number (5) or label (5b). */
  phase: number | string;
  project: string;
  /** One line: what this phase delivers. */
  description?: string;
  /** The command that proves the phase works, e.g. `cargo check --workspace 2>&1`. */
  verify?: string;
  /** Paths the phase creates or modifies, exactly as the agent should write them. */
  files?: string[];
  /** Steps before the verification, one concrete change each. */
  steps?: string[];
}

// Placeholders the author replaces; `baton prompt lint` reports each one left in.
const DESCRIPTION = '<one-line goal of this phase>';
const PROJECT = '<what the codebase is: language, layout, the crates/packages/modules this phase touches, and an exact example for any library API that is easy to get wrong>';
const FILES = '<explicit list with exact paths, one per line as - `path/to/file` — what to create or change in it>';
const STEPS = ['<first step: one concrete change, naming the file and the function, type or flag>', '<next step>'];
const VERIFY = '<verification command, e.g. npm test>';

function oneLine(field: string, value: string): string {
  const text = value.replace(/\s+/g, ' ').trim();
  if (!text) throw usageError(`${field} is empty`);
  return text;
}

/**
 * The proven phase-prompt template: numbered steps the agent tracks as todos, explicit file paths,
 * heredocs for new files and the Edit tool for existing ones, and the verification as the last step.
 * What isn't given is left as a <placeholder> for the author; `baton prompt lint` lists them.
 */
export function writePhasePrompt(input: PhasePromptInput): string {
  const phase = oneLine('phase', String(input.phase));
  const project = oneLine('project', input.project);
  const description = input.description === undefined ? DESCRIPTION : oneLine('description', input.description).replace(/\.$/, '');
  const verify = input.verify === undefined ? VERIFY : oneLine('verify', input.verify);
  if (verify.includes('`')) throw usageError('the verification command cannot contain a backtick');
  const files = (input.files ?? []).map((file) => oneLine('file', file));
  const badFile = files.find((file) => /[\s`]/.test(file));
  if (badFile !== undefined) throw usageError(`file paths cannot contain spaces or backticks: "${badFile}"`);
  const steps = (input.steps?.length ? input.steps.map((step) => oneLine('step', step).replace(/^\d+[.)]\s+/, '')) : STEPS);

  return `You are implementing Phase ${phase} of ${project}: ${description}.

## Project
${PROJECT}

## CRITICAL INSTRUCTIONS
- For NEW files: use \`cat > /path <<'EOF' ... EOF\`
- For EXISTING file modifications: use Edit tool (read first, then edit)
- Final step: run \`${verify}\` and fix any errors
- Report final result

## Files to Create/Modify
${files.length > 0 ? files.map((file) => `- \`${file}\``).join('\n') : FILES}

## Steps
${steps.map((step, i) => `${i + 1}. ${step}`).join('\n')}
${steps.length + 1}. Run \`${verify}\`, fix any errors and re-run until it passes, then report final result
`;
}
