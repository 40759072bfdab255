export { writePhasePrompt, type PhasePromptInput } from './template.js';
export { lintPrompt, countFindings } from './lint.js';
export { parsePromptDocument, type PromptDocument, type Section, type Step, type PromptLine, type Instruction } from './document.js';
export type { LintFinding, LintRule, RuleHit, Severity } from './rule.js';
export { RULES } from './rules/index.js';
