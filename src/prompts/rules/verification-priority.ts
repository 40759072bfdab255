import { commandInStep } from '../../detect/prompt-spec.js';
import { verificationCommandsIn } from '../commands.js';
import { withoutPlaceholders } from '../placeholders.js';
import type { LintRule } from '../rule.js';

const PRIORITY = /\b(?:first|then|after|afterwards|once|before|priority|prioriti[sz]e|finally|next|followed\s+by|only\s+when|must\s+pass|if\b[^.;]*\b(?:passes|pass|succeeds|succeed|is\s+clean|is\s+green))\b/i;

/** With two checks and no order, an agent may stop at the first one that passes. */
export const verificationPriority: LintRule = {
  id: 'verification-priority',
  severity: 'warning',
  summary: 'the last step runs several verification commands with no stated order ("first", "then", "if … passes")',
  check(doc) {
    const last = doc.steps.at(-1);
    if (!last) return [];
    const text = withoutPlaceholders(last.text);
    const commands = verificationCommandsIn(text);
    if (commands.length < 2 || PRIORITY.test(text.replace(/`[^`\n]*`/g, ' '))) return [];
    const judged = commandInStep(text);
    return [
      {
        line: last.line,
        message:
          `${commands.map((c) => `\`${c}\``).join(' and ')} with no stated priority: an agent may stop at the first that passes; ` +
          `say e.g. "run \`${commands[0]}\` first, then \`${commands[1]}\` once it passes"` +
          (judged ? ` (Baton judges the run by \`${judged}\`)` : ''),
      },
    ];
  },
};
