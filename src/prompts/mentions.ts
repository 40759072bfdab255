/**
 * What a step names: files (paths with an extension a file would have) and symbols (`backticked`,
 * camelCase, PascalCase, snake_case, `--flags`, calls). Rules use these to tell a concrete step from a
 * vague one and to find files a step touches.
 */
export interface FileMention {
  path: string;
  index: number;
}

const EXTENSIONS = new Set(
  (
    'ts tsx mts cts js jsx mjs cjs json jsonc md mdx rs toml yaml yml py pyi go mod sum java kt kts scala c h cc cpp cxx hpp hh ' +
    'cs fs rb php swift m mm sh bash zsh fish ps1 txt html htm css scss sass less vue svelte astro sql graphql gql proto ' +
    'xml gradle lock cfg ini conf env lua ex exs erl hrl hs elm clj dart zig nim r jl pl pm tf hcl nix dockerfile csv tsv ' +
    'ipynb rst adoc tex svg png jpg jpeg gif ico wasm snap'
  ).split(' '),
);
const NAMED_FILES = new Set(['Makefile', 'Dockerfile', 'Justfile', 'Gemfile', 'Rakefile', 'Procfile', 'Jenkinsfile', 'Vagrantfile', 'LICENSE']);
// Product names that happen to look like files.
const NOT_FILES = new Set(['node.js', 'next.js', 'vue.js', 'nuxt.js', 'react.js', 'express.js', 'three.js', 'd3.js', 'chart.js', 'deno.js']);
const PATH_SHAPE = /^(?:~\/|\.{1,2}\/|\/)?(?:[\w@.+-]+\/)*[\w@.+-]+$/;
const TOKEN = /[^\s`'"()[\]{},;]+/g;
const BACKTICKED = /`([^`\n]+)`/g;

/** Whether a token names a file: a path whose last part has a file's extension or a well-known file name. */
export function isFilePath(token: string): boolean {
  if (!PATH_SHAPE.test(token) || NOT_FILES.has(token.toLowerCase())) return false;
  const base = token.slice(token.lastIndexOf('/') + 1);
  if (NAMED_FILES.has(base)) return true;
  if (/^\.[a-z][\w.-]*$/i.test(base)) return true; // .env, .gitignore, .eslintrc.json
  const dot = base.lastIndexOf('.');
  return dot > 0 && EXTENSIONS.has(base.slice(dot + 1).toLowerCase());
}

function trimPunctuation(token: string): { text: string; offset: number } {
  const lead = /^[*_<>:]*/.exec(token)?.[0].length ?? 0;
  const text = token.slice(lead).replace(/[.:!?*_>]+$/, '');
  return { text, offset: lead };
}

/** Files named in a line, in order, each once, with where it starts. */
export function filesMentionedIn(line: string): FileMention[] {
  const found: FileMention[] = [];
  const seen = new Set<string>();
  const add = (path: string, index: number) => {
    if (seen.has(path)) return;
    seen.add(path);
    found.push({ path, index });
  };
  for (const match of line.matchAll(BACKTICKED)) {
    const inner = (match[1] ?? '').trim();
    if (isFilePath(inner)) add(inner, (match.index ?? 0) + 1);
  }
  const bare = line.replace(BACKTICKED, (m) => ' '.repeat(m.length));
  for (const match of bare.matchAll(TOKEN)) {
    if (/^[a-z][\w+.-]*:\/\//i.test(match[0])) continue;
    const { text, offset } = trimPunctuation(match[0]);
    if (isFilePath(text)) add(text, (match.index ?? 0) + offset);
  }
  return found.sort((a, b) => a.index - b.index);
}

const SYMBOL = [
  /`[^`\n]+`/, // anything backticked
  /\b[a-z][a-z0-9]*[A-Z][A-Za-z0-9]*\b/, // camelCase
  /\b[A-Z][a-z0-9]+[A-Z][A-Za-z0-9]*\b/, // PascalCase with two humps or more
  /\b[A-Za-z][A-Za-z0-9]*_[A-Za-z0-9_]+\b/, // snake_case, SCREAMING_CASE
  /(?:^|\s)--?[a-z][\w-]*/, // --flag
  /\b[A-Za-z_]\w*(?:\.|::)?\w*\(\)/, // call()
  /\b\w+::\w+/, // path::to
];

/** Whether text names something an agent can find: a file, a directory path or a symbol. */
export function namesFileOrSymbol(text: string): boolean {
  if (filesMentionedIn(text).length > 0) return true;
  if ([...text.matchAll(TOKEN)].some((m) => /^(?:\.{0,2}\/)?[\w@.+-]+\/[\w@.+/-]*[\w@+-]\/?$/.test(m[0]) && !/^(?:and|or)\/(?:and|or)$/i.test(m[0]))) return true;
  return SYMBOL.some((pattern) => pattern.test(text));
}
