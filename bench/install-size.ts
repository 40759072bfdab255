import { execFileSync } from 'node:child_process';
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Row } from './lib.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const AGENT_PACKAGES = ['opencode-ai', 'oh-my-opencode', '@anthropic-ai/claude-code', '@openai/codex'];

interface Node {
  location: string;
  path: string;
}

/** Packages of the installed tree matching an `npm query` selector (the root project left out). */
function query(selector: string): Node[] {
  const out = execFileSync('npm', ['query', selector], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  return (JSON.parse(out) as Node[]).filter((node) => node.location !== '');
}

/** Bytes of a package folder, not counting the packages nested in its own node_modules. */
function packageBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += packageBytes(path);
    else total += lstatSync(path).size;
  }
  return total;
}

const megabytes = (nodes: Node[]) => nodes.reduce((sum, node) => sum + packageBytes(node.path), 0) / 1e6;

/**
 * What `npm install baton` puts on a user's disk: Baton's production dependencies (the agent CLIs are optional
 * peers a user installs only for the agents they use), against what it was when all four agents were
 * dependencies. Measured on the installed tree, so no network is needed; native build output counts as installed.
 */
export function benchInstallSize(): Row[] {
  const production = query('.prod');
  const agents = query(AGENT_PACKAGES.flatMap((name) => [`[name="${name}"]`, `[name="${name}"] *`]).join(', '));
  const seen = new Set(production.map((node) => node.location));
  const withAgents = [...production, ...agents.filter((node) => !seen.has(node.location))];
  const user = megabytes(production);
  const before = megabytes(withAgents);
  return [
    {
      claim: `install size for a user (production dependencies, ${production.length} packages)`,
      measured: `${user.toFixed(1)} MB`,
      baseline: `with the four agent CLIs as dependencies: ${before.toFixed(1)} MB`,
      ratio: `${(user / before).toFixed(3)}x`,
      target: '< 0.1x',
      ok: user / before < 0.1,
    },
  ];
}
