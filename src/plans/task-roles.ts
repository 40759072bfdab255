/**
 * What part a word plays in a task: the request itself ("*Plan* the storage layer"), a mention
 * ("…its *architecture*…"), or a side remark ("…before *implementing* it"). Routing weighs a
 * keyword by the part it plays, so a task goes to the agent for what it asks, not for every word
 * it happens to contain.
 */
export const ROLE_WEIGHT = { request: 3, mention: 1, aside: 0 } as const;
export type WordRole = keyof typeof ROLE_WEIGHT;

/** How many words from the start of a sentence (or of a "then …" clause) make up its request. */
const REQUEST = /^(?:\s*[^\s.!?;,:]+){1,5}/;
// Politeness and sequencing words before the verb do not use up the request's words.
const LEAD_IN = /^(?:[-*+>#]+\s+)?(?:(?:please|first|now|just|also|then|and|so|finally|next|you\s+(?:should|must|need\s+to|can)|we\s+need\s+to|i\s+(?:want|need)\s+you\s+to|can\s+you|could\s+you|let'?s)\s+)*/i;
const DESCRIPTION = /^(?:a|an|the|it|its|this|that|these|those|there|here|our|my|your|their|we|they|he|she|which|some|all|most)\b/i;
const SENTENCE_END = /[.!?;\n]+(?:\s+|$)|:\s*\n/g;
const CLAUSE_START = /,\s+and\s+(?:then\s+)?|\bthen\s+/gi;
// A side remark runs from one of these words to the end of its clause.
const ASIDE = /\b(?:before|after|without|so\s+that|because|since|while|once|until|unless|instead\s+of|rather\s+than|in\s+case)\b/gi;
const CLAUSE_END = /[,.!?;:\n]/g;

/** The role of each character of `text`, as an array of the same length. */
export function wordRoles(text: string): WordRole[] {
  const roles: WordRole[] = new Array<WordRole>(text.length).fill('mention');
  const starts = [0, ...[...text.matchAll(SENTENCE_END)].map((m) => m.index + m[0].length), ...[...text.matchAll(CLAUSE_START)].map((m) => m.index + m[0].length)];
  for (const start of starts) {
    // A request is a few words: a bounded window keeps a long phase prompt linear to scan.
    const rest = text.slice(start, start + 300);
    const lead = LEAD_IN.exec(rest)?.[0].length ?? 0;
    // "The crash in it is known." describes; only a sentence that starts with a verb or a question asks.
    if (DESCRIPTION.test(rest.slice(lead))) continue;
    // The request ends early at punctuation: "Why? Looks like…" asks only "why".
    const words = REQUEST.exec(rest.slice(lead));
    if (words) roles.fill('request', start, start + lead + words[0].length);
  }
  for (const aside of text.matchAll(ASIDE)) {
    const from = aside.index + aside[0].length;
    CLAUSE_END.lastIndex = from;
    const end = CLAUSE_END.exec(text)?.index ?? text.length;
    // The subordinating word itself is a mention, so that a phrase such as "before implementing"
    // still counts, in passing, even in a request ("Rename x before implementing y" asks for a rename).
    roles.fill('mention', aside.index, from);
    roles.fill('aside', from, end);
  }
  return roles;
}
