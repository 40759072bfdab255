/**
 * `{{workdir}}` in a script stands for the agent's working directory, which the mock learns from
 * the request itself: opencode (and oh-my-opencode on top of it) describes its environment in the
 * system prompt as
 *
 *     <env>
 *       Working directory: /abs/path
 *       Workspace root folder: /abs/path
 *       ...
 *
 * and Claude Code in its "# Environment" section as
 *
 *      - Primary working directory: /abs/path
 *
 * and codex in a message of its own as `<environment_context>\n  <cwd>/abs/path</cwd>…`.
 */

const ENV_BLOCK = /<env>([\s\S]*?)<\/env>/;
const WORKDIR_LINE = /^[ \t]*Working directory:[ \t]*(\S.*?)[ \t]*$/m;
const CLAUDE_WORKDIR_LINE = /^[ \t]*- Primary working directory:[ \t]*(\S.*?)[ \t]*$/m;
const CODEX_CWD = /<environment_context>[\s\S]*?<cwd>([^<\n]+)<\/cwd>/;
const PLACEHOLDER = /\{\{workdir\}\}/g;

/**
 * The working directory named in the system prompt, or null when it names none. The `<env>` block
 * wins over a stray line elsewhere, since instructions (AGENTS.md) are part of the system text too.
 */
export function findWorkdir(systemText: string): string | null {
  const envBlock = ENV_BLOCK.exec(systemText)?.[1];
  const inEnv = envBlock === undefined ? undefined : WORKDIR_LINE.exec(envBlock)?.[1];
  return inEnv ?? CLAUDE_WORKDIR_LINE.exec(systemText)?.[1] ?? CODEX_CWD.exec(systemText)?.[1] ?? WORKDIR_LINE.exec(systemText)?.[1] ?? null;
}

/**
 * Replaces `{{workdir}}` in every string inside `value` (objects and arrays walked deeply).
 * With no known workdir the placeholder stays as it is, so a test sees what went wrong.
 */
export function substituteWorkdir<T>(value: T, workdir: string | null): T {
  if (workdir === null) return value;
  return substitute(value, workdir) as T;
}

function substitute(value: unknown, workdir: string): unknown {
  if (typeof value === 'string') return value.replace(PLACEHOLDER, () => workdir);
  if (Array.isArray(value)) return value.map((item) => substitute(item, workdir));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, substitute(item, workdir)]));
  }
  return value;
}
