/**
 * Template placeholders: `<project>`, `<brief codebase description …>`, left for the author to fill.
 * Told apart from HTML tags (`<br>`, `<a href=…>`), autolinks (`<https://…>`), generics
 * (`Vec<String>`, preceded by a word character), heredocs (`<<'EOF'`) and comparisons (`a < b`).
 */
export interface Placeholder {
  /** The whole placeholder, brackets included. */
  text: string;
  index: number;
}

const PLACEHOLDER = /<([A-Za-z…][^<>\n]*?)>/g;
const HTML_TAGS = new Set([
  'a', 'abbr', 'b', 'br', 'code', 'details', 'div', 'em', 'hr', 'i', 'img', 'kbd', 'li', 'ol', 'p', 'pre',
  's', 'small', 'span', 'strong', 'sub', 'summary', 'sup', 'table', 'td', 'th', 'tr', 'u', 'ul',
]);

export function placeholdersIn(line: string): Placeholder[] {
  const found: Placeholder[] = [];
  for (const match of line.matchAll(PLACEHOLDER)) {
    const inner = match[1] ?? '';
    const index = match.index ?? 0;
    if (index > 0 && /[\w<]/.test(line[index - 1] ?? '')) continue;
    if (/\s$/.test(inner) || inner.includes('=') || /^[a-z][\w+.-]*:\/\//i.test(inner) || /^[\w.+-]+@[\w.-]+$/.test(inner)) continue;
    if (HTML_TAGS.has(inner.toLowerCase())) continue;
    found.push({ text: match[0], index });
  }
  return found;
}

/** The text with its placeholders removed, so rules judge only what the author actually wrote. */
export function withoutPlaceholders(text: string): string {
  let result = text;
  for (const placeholder of placeholdersIn(text).reverse()) {
    result = result.slice(0, placeholder.index) + result.slice(placeholder.index + placeholder.text.length);
  }
  return result;
}

export function isPlaceholder(text: string): boolean {
  const trimmed = text.trim();
  const found = placeholdersIn(trimmed);
  return found.length === 1 && found[0]?.text === trimmed;
}
