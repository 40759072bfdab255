import { commandInStep } from '../../detect/prompt-spec.js';
import { ellipsize } from '../../text.js';
import { isVerificationCommand } from '../commands.js';
import { instructionName } from '../document.js';
import { namesFileOrSymbol } from '../mentions.js';
import { isPlaceholder, withoutPlaceholders } from '../placeholders.js';
import type { LintRule } from '../rule.js';

const VAGUE_WORDS =
  '(?:update|improve|fix|clean\\s*up|tidy(?:\\s+up)?|refactor|polish|enhance|adjust|tweak|rework|revise|handle|sort\\s+out|deal\\s+with|finish(?:\\s+up)?|wire\\s+(?:it|things|everything)\\s+up|make\\s+(?:it|things|\\w+)\\s+(?:better|work|nicer|cleaner|faster))';
const VAGUE = new RegExp(`\\b${VAGUE_WORDS}\\b`, 'i');
/**
 * In a list item or a sentence the vague verb must lead a clause ("Update the CLI", "then clean up"):
 * a description such as "a tool to update records" is not an instruction.
 */
const VAGUE_ORDER = new RegExp(
  `(?:^|[,;:]\\s*|\\b(?:and|then)\\s+)(?:(?:please|also|then|first|finally|next|now|just|you\\s+(?:should|must|need\\s+to|can))\\s+)*${VAGUE_WORDS}\\b`,
  'i',
);
// "A tool to update records and improve search" describes; it asks nothing of the agent.
const DESCRIPTION = /^\W*(?:a|an|the|it|its|this|that|these|those|there|our|we|they|which)\b/i;

/** "Update the CLI": an agent may read it too narrowly or too broadly; naming the file or symbol pins it. */
export const vagueStep: LintRule = {
  id: 'vague-step',
  severity: 'warning',
  summary: 'a vague instruction ("update the CLI", "improve X", "fix things", "clean up") naming no file or symbol, in a step, an item or a sentence',
  check(doc) {
    const hits = [];
    for (const instruction of doc.instructions) {
      const command = commandInStep(instruction.text);
      if (command !== undefined && (isVerificationCommand(command) || isPlaceholder(command))) continue; // "run `npm test`, fix errors" is precise
      const text = withoutPlaceholders(instruction.text);
      const listed = instruction.kind === 'step' || instruction.kind === 'numbered';
      if (!listed && DESCRIPTION.test(text)) continue;
      if (!(listed ? VAGUE : VAGUE_ORDER).test(text) || namesFileOrSymbol(text)) continue;
      hits.push({
        line: instruction.line,
        message: `${instructionName(instruction)} "${ellipsize(text.trim(), 60)}" is vague: name the file and the function, type or flag it changes`,
      });
    }
    return hits;
  },
};
