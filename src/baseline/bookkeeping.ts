/**
 * Paths agents keep their own state in (oh-my-opencode's `.omo/`): never a run's work, so never in
 * its filesChanged nor in a plan's phase commit.
 */
export const AGENT_BOOKKEEPING_PREFIXES = ['.omo/'];

/** `path` relative to the repository (or directory) root. */
export function isAgentBookkeeping(path: string): boolean {
  return AGENT_BOOKKEEPING_PREFIXES.some((prefix) => path.startsWith(prefix));
}
