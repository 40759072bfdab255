import type { LintRule } from '../rule.js';

const LANGUAGE = '(?:python3?|node(?:\\.?js)?|javascript|typescript|ts-node|bash|shell|sh|ruby|perl|deno|bun)';
const WRITE = '(?:write|writes|writing|create|creates|creating|generate|generates|generating|produce|emit|output|make|makes)';
const FILES = '(?:(?:the|all|every|each|these|those|new|source|project|remaining|other)\\s+)*(?:files?|sources?|modules?)';
// "use a python script to write files", "write a Python script that creates the files"
const SCRIPT_THEN_FILES = new RegExp(`\\b(?:use|using|with|via|through|by|write|writing|create|run)\\b[^.;]{0,30}\\b${LANGUAGE}\\b[^.;]{0,15}\\bscripts?\\b[^.;]{0,60}\\b${WRITE}\\b[^.;]{0,30}\\b${FILES}\\b`, 'i');
// "generate the files with a node script"
const FILES_THEN_SCRIPT = new RegExp(`\\b${WRITE}\\b[^.;]{0,30}\\b${FILES}\\b[^.;]{0,40}\\b(?:with|using|via|through|from|by)\\b[^.;]{0,15}\\b${LANGUAGE}?\\s*scripts?\\b`, 'i');
// "use python to generate the source files"
const LANGUAGE_TO_FILES = new RegExp(`\\b(?:use|using|with|via|through)\\s+(?:an?\\s+)?${LANGUAGE}\\b[^.;]{0,20}\\bto\\s+${WRITE}\\b[^.;]{0,30}\\b${FILES}\\b`, 'i');
const NEGATION = /\b(?:don'?t|do\s+not|never|no|avoid|instead\s+of|rather\s+than|not)\b/i;

/** Agents told to write files through a script go off-track debugging the script instead. */
export const filesThroughScript: LintRule = {
  id: 'files-through-script',
  severity: 'error',
  summary: 'tells the agent to write files through a Python (or other) script',
  check(doc) {
    const hits = [];
    for (const line of doc.prose) {
      const match = SCRIPT_THEN_FILES.exec(line.text) ?? FILES_THEN_SCRIPT.exec(line.text) ?? LANGUAGE_TO_FILES.exec(line.text);
      if (!match) continue;
      const sentenceStart = Math.max(line.text.lastIndexOf('.', match.index), line.text.lastIndexOf(';', match.index)) + 1;
      if (NEGATION.test(line.text.slice(sentenceStart, match.index + match[0].length))) continue; // "do not use a Python script to write files" is good advice
      hits.push({
        line: line.number,
        message: `"${match[0].trim()}": agents go off-track writing the script; ask for \`cat > path <<'EOF'\` for new files and the Edit tool for existing ones`,
      });
    }
    return hits;
  },
};
