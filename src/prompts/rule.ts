import type { PromptDocument } from './document.js';

export type Severity = 'error' | 'warning';

/** Something a rule found, before lintPrompt tags it with the rule's id and severity. */
export interface RuleHit {
  /** 1-based line of the prompt. */
  line: number;
  message: string;
}

/** One lint rule: errors fail `baton prompt lint`, warnings do not. */
export interface LintRule {
  id: string;
  severity: Severity;
  /** One line for --help: what triggers the rule. */
  summary: string;
  check(doc: PromptDocument): RuleHit[];
}

export interface LintFinding {
  rule: string;
  severity: Severity;
  /** 1-based. */
  line: number;
  message: string;
}
