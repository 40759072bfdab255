import { initClaude, type InitChange, type InitResult } from '../../integrations/claude-init.js';
import { usageError } from '../../errors.js';
import { flag, stringOption } from '../args.js';
import { defineCommand } from '../define.js';
import type { Style } from '../style.js';

const INTEGRATIONS = ['claude'] as const;

export const initCommand = defineCommand({
  name: 'init',
  summary: 'set a project up for Claude Code: MCP server, skill, slash commands',
  positionals: [{ name: 'claude' }],
  about: `Sets up DIR (default: the current directory) for Claude Code:
  .mcp.json                         adds the "baton" MCP server (node <Baton>/bin/baton.js mcp),
                                    keeping every other server and key; updates a stale baton entry
  .claude/skills/baton/SKILL.md     a skill teaching the workflow: phase prompts from the template,
                                    plan run / run, wait in the background, status briefs, resume,
                                    one commit per phase, exit codes and states
  .claude/commands/baton-*.md       slash commands: /baton-run, /baton-status, /baton-wait,
                                    /baton-resume, /baton-plan

Running it again changes only what is out of date; a second run reports every file unchanged.
An .mcp.json that is not valid JSON is refused (file, line and column named) and nothing is written.

Your edits are safe: each skill and command file carries a marker line with the hash of what Baton
wrote. Baton replaces a file only while it still matches that hash (an untouched earlier version).
A file you edited, or one Baton did not write, is kept as it is and reported as "kept"; delete it
and run again to get Baton's current version.`,
  options: [
    { name: 'dir', value: 'DIR', description: 'the project directory', whenAbsent: 'the current directory' },
    { name: 'dry-run', description: 'show what would change, as unified diffs; write nothing' },
  ],
  json: `print {"dir","dryRun","changes":[{"file","action","note"?,"diff"? (with --dry-run)}]}
action: created | updated | unchanged | kept`,
  more: `Examples:
  baton init claude --dry-run
  baton init claude --dir ~/repo
  baton init claude --json | jq -r '.changes[] | "\\(.action) \\(.file)"'`,
}, {
  async run(args, io) {
    const [integration, ...extra] = args.positionals;
    if (integration === undefined) throw usageError(`baton init needs an integration: ${INTEGRATIONS.join(', ')}`);
    if (!(INTEGRATIONS as readonly string[]).includes(integration)) throw usageError(`unknown integration "${integration}"; valid: ${INTEGRATIONS.join(', ')}`);
    if (extra.length > 0) throw usageError(`baton init ${integration} takes no more arguments, got "${extra[0]}"`);
    const dir = stringOption(args, 'dir');
    const result = await initClaude({ ...(dir !== undefined && { dir }), dryRun: flag(args, 'dry-run') });
    return {
      exitCode: 0,
      json: {
        dir: result.dir,
        dryRun: result.dryRun,
        changes: result.changes.map((c) => ({ file: c.file, action: c.action, ...(c.note !== undefined && { note: c.note }), ...(result.dryRun && c.diff !== '' && { diff: c.diff }) })),
      },
      text: formatInit(result, io.style),
    };
  },
});

function formatInit(result: InitResult, s: Style): string {
  const width = Math.max(...result.changes.map((c) => c.file.length));
  const colour = (c: InitChange) => {
    const label = (result.dryRun && c.action !== 'unchanged' && c.action !== 'kept' ? `would be ${c.action}` : c.action).padEnd(result.dryRun ? 18 : 10);
    if (c.action === 'created' || c.action === 'updated') return s.green(label);
    return c.action === 'kept' ? s.yellow(label) : s.dim(label);
  };
  const lines = [`${s.bold('baton init claude')} · ${result.dir}${result.dryRun ? s.yellow('  (dry run: nothing written)') : ''}`];
  for (const c of result.changes) lines.push(`  ${colour(c)} ${c.file.padEnd(width)}${c.note ? `  ${s.dim(c.note)}` : ''}`.trimEnd());
  const changed = result.changes.filter((c) => c.diff !== '');
  if (result.dryRun && changed.length > 0) lines.push('', ...changed.map((c) => c.diff.replace(/\n$/, '')));
  if (!result.dryRun && changed.length > 0) {
    lines.push(s.dim('next: start (or restart) Claude Code in this directory and approve the baton MCP server; then ask it to use the baton skill, or try /baton-status'));
  }
  return lines.join('\n');
}
