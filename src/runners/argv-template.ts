/**
 * Splits a command template into argv the way a shell would split words (single and double quotes,
 * backslash escapes) without running a shell: nothing is expanded, nothing is executed.
 */
export function splitWords(template: string): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (quote === "'") {
      if (c === "'") quote = null;
      else current += c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === '\\' && i + 1 < template.length && '"\\$`'.includes(template[i + 1]!)) current += template[++i];
      else current += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < template.length) {
      current += template[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += c;
      inWord = true;
    }
  }
  if (quote) throw new Error(`unclosed ${quote} quote in command template: ${template}`);
  if (inWord) words.push(current);
  return words;
}

/** Replaces {prompt}, {dir} and {session} inside each argv element; the prompt stays one element. */
export function fillTemplate(argv: string[], values: Record<'prompt' | 'dir' | 'session', string | undefined>): string[] {
  return argv.map((word) =>
    word.replace(/\{(prompt|dir|session)\}/g, (whole, name: 'prompt' | 'dir' | 'session') => {
      const value = values[name];
      if (value === undefined) throw new Error(`the command template uses ${whole} but there is no ${name}`);
      return value;
    }),
  );
}
