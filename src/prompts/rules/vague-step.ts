import { commandInStep } from '../../detect/prompt-spec.js';
import { ellipsize } from '../../text.js';
import { isVerificationCommand } from '../commands.js';
import { namesFileOrSymbol } from '../mentions.js';
import { isPlaceholder, withoutPlaceholders } from '../placeholders.js';
import type { LintRule } from '../rule.js';

const VAGUE =
  /\b(?:update|improve|fix|clean\s*up|tidy(?:\s+up)?|refactor|polish|enhance|adjust|tweak|rework|revise|handle|sort\s+out|deal\s+with|finish(?:\s+up)?|wire\s+(?:it|things|everything)\s+up|make\s+(?:it|things|\w+)\s+(?:better|work|nicer|cleaner|faster))\b/i;

/** "Update the CLI": an agent may read it too narrowly or too broadly; naming the file or symbol pins it. */
export const vagueStep: LintRule = {
  id: 'vague-step',
  severity: 'warning',
  summary: 'a vague step ("update the CLI", "improve X", "fix things", "clean up") naming no file or symbol',
  check(doc) {
    const hits = [];
    for (const step of doc.steps) {
      const command = commandInStep(step.text);
      if (command !== undefined && (isVerificationCommand(command) || isPlaceholder(command))) continue; // "run `npm test`, fix errors" is precise
      const text = withoutPlaceholders(step.text);
      if (!VAGUE.test(text) || namesFileOrSymbol(text)) continue;
      hits.push({
        line: step.line,
        message: `step ${step.ordinal} "${ellipsize(text.trim(), 60)}" is vague: name the file and the function, type or flag it changes`,
      });
    }
    return hits;
  },
};
