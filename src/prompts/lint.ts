import { parsePromptDocument } from './document.js';
import type { LintFinding, LintRule } from './rule.js';
import { RULES } from './rules/index.js';

/** Lints a phase prompt against the proven template's do's and don'ts; findings sorted by line. */
export function lintPrompt(text: string, rules: readonly LintRule[] = RULES): LintFinding[] {
  const doc = parsePromptDocument(text);
  const findings = rules.flatMap((rule) => rule.check(doc).map((hit) => ({ rule: rule.id, severity: rule.severity, line: hit.line, message: hit.message })));
  return findings.sort((a, b) => a.line - b.line || (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
}

export function countFindings(findings: readonly LintFinding[]): { errors: number; warnings: number } {
  const errors = findings.filter((f) => f.severity === 'error').length;
  return { errors, warnings: findings.length - errors };
}
