import { verificationCommandsIn } from '../commands.js';
import { instructionName, type Instruction } from '../document.js';
import { withoutPlaceholders } from '../placeholders.js';
import type { LintRule, RuleHit } from '../rule.js';

const PRIORITY = /\b(?:first|then|after|afterwards|once|before|priority|prioriti[sz]e|finally|next|followed\s+by|only\s+when|must\s+pass|if\b[^.;]*\b(?:passes|pass|succeeds|succeed|is\s+clean|is\s+green))\b/i;

const hasPriority = (text: string) => PRIORITY.test(text.replace(/`[^`\n]*`/g, ' '));

/**
 * With two checks and no order, an agent may stop at the first one that passes. The checks may sit
 * in one step, one sentence, or spread over the items of one list or the sentences of one paragraph;
 * numbered steps are ordered by their numbers, so only a single step is judged on its own.
 */
export const verificationPriority: LintRule = {
  id: 'verification-priority',
  severity: 'warning',
  summary: 'several verification commands in one step, sentence, list or paragraph with no stated order ("first", "then", "if … passes")',
  check(doc) {
    const hits: RuleHit[] = [];
    const lastStep = doc.instructions.filter((i) => i.kind === 'step').at(-1);
    const judge = (group: Instruction[]) => {
      const commands = verificationCommandsIn(group.map((i) => withoutPlaceholders(i.text)).join('\n'));
      if (commands.length < 2 || group.some((i) => hasPriority(i.text))) return false;
      const at = group.find((i) => verificationCommandsIn(withoutPlaceholders(i.text)).length > 0) ?? group[0]!;
      const who = group.length === 1 ? `${instructionName(at)} runs` : at.kind === 'sentence' ? 'the sentences of one paragraph run' : 'the items of one list run';
      hits.push({
        line: at.line,
        message:
          `${who} ${commands.map((c) => `\`${c}\``).join(' and ')} with no stated priority: ` +
          `an agent may stop at the first that passes; say e.g. "run \`${commands[0]}\` first, then \`${commands[1]}\` once it passes"` +
          (at === lastStep && doc.spec.verification ? ` (Baton judges the run by \`${doc.spec.verification}\`)` : ''),
      });
      return true;
    };
    const blocks = new Map<number, Instruction[]>();
    for (const instruction of doc.instructions) {
      if (judge([instruction])) continue;
      if (instruction.kind === 'step' || instruction.kind === 'numbered') continue;
      blocks.set(instruction.block, [...(blocks.get(instruction.block) ?? []), instruction]);
    }
    for (const group of blocks.values()) {
      const reported = hits.some((h) => group.some((i) => i.line === h.line));
      if (!reported && group.length > 1) judge(group);
    }
    return hits;
  },
};
