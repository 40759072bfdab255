import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { BatonError, usageError } from '../errors.js';
import { packageRoot } from '../package-root.js';
import { CLAUDE_FILES } from './claude-skill.js';
import { mergeMcpServer, type McpServerEntry } from './mcp-config.js';
import { decideOwnedFile, withMarker, type OwnedFileAction } from './owned-file.js';
import { unifiedDiff } from './unified-diff.js';

export interface InitClaudeOptions {
  /** The project directory (default: the current directory). */
  dir?: string;
  /** Work out the changes and their diffs, write nothing. */
  dryRun?: boolean;
  /** Baton's bin/baton.js (default: the one in Baton's own package). */
  batonBin?: string;
  /** The node binary the MCP server entry runs (default: the one running now). */
  node?: string;
}

export type InitAction = OwnedFileAction;

export interface InitChange {
  /** Relative to `dir`, with forward slashes. */
  file: string;
  action: InitAction;
  /** For a person: what changed in .mcp.json, or why a file was kept. */
  note?: string;
  /** Unified diff of what was (or, with dryRun, would be) written; empty when nothing changes. */
  diff: string;
}

export interface InitResult {
  /** Absolute. */
  dir: string;
  dryRun: boolean;
  /** The server entry Baton puts under mcpServers.baton. */
  mcpServer: McpServerEntry;
  changes: InitChange[];
}

export const MCP_CONFIG_FILE = '.mcp.json';
export const MCP_SERVER_NAME = 'baton';

interface PlannedWrite {
  change: InitChange;
  path: string;
  text: string;
}

/**
 * Sets a project up for a Claude Code lead session: the `baton` MCP server in `.mcp.json` (merged,
 * never clobbering other servers or keys), a skill teaching the Baton workflow, and slash commands.
 * Reads and checks everything before writing anything, so an invalid `.mcp.json` changes nothing.
 * Skill and command files are replaced only while they are still exactly what an earlier Baton
 * wrote (see owned-file.ts); files the user edited, or that Baton never wrote, are kept.
 * Never prints; throws BatonError.
 */
export async function initClaude(options: InitClaudeOptions = {}): Promise<InitResult> {
  const dir = resolve(options.dir ?? '.');
  const info = await stat(dir).catch(() => undefined);
  if (!info) throw usageError(`${dir} does not exist`, { field: 'dir' });
  if (!info.isDirectory()) throw usageError(`${dir} is not a directory`, { field: 'dir' });
  const dryRun = options.dryRun === true;
  const mcpServer: McpServerEntry = { command: options.node ?? process.execPath, args: [options.batonBin ?? defaultBatonBin(), 'mcp'] };

  const planned: PlannedWrite[] = [];
  const mcpPath = join(dir, MCP_CONFIG_FILE);
  const mcpBefore = await readIfExists(mcpPath);
  const merge = mergeMcpServer(mcpPath, mcpBefore, MCP_SERVER_NAME, mcpServer);
  planned.push({
    path: mcpPath,
    text: merge.text,
    change: { file: MCP_CONFIG_FILE, action: merge.action, note: merge.note, diff: unifiedDiff(MCP_CONFIG_FILE, mcpBefore, merge.text) },
  });

  for (const { file, content } of CLAUDE_FILES) {
    const path = join(dir, ...file.split('/'));
    const before = await readIfExists(path);
    const desired = withMarker(content);
    const decision = decideOwnedFile(before, desired);
    const writes = decision.action === 'created' || decision.action === 'updated';
    planned.push({
      path,
      text: desired,
      change: { file, action: decision.action, ...(decision.note !== undefined && { note: decision.note }), diff: writes ? unifiedDiff(file, before, desired) : '' },
    });
  }

  if (!dryRun) {
    for (const { path, text, change } of planned) {
      if (change.action === 'created' || change.action === 'updated') await writeAtomically(path, text);
    }
  }
  return { dir, dryRun, mcpServer, changes: planned.map((p) => p.change) };
}

function defaultBatonBin(): string {
  const bin = join(packageRoot(), 'bin', 'baton.js');
  if (!existsSync(bin)) throw new BatonError('runtime', `cannot find Baton's own bin/baton.js (looked at ${bin})`);
  return bin;
}

async function readIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'EISDIR') throw new BatonError('conflict', `${path} is a directory; Baton wants to write a file there`);
    throw new BatonError('runtime', `cannot read ${path}: ${(error as Error).message}`);
  }
}

/** Write beside the target, then rename, so a crash never leaves a half-written config. */
async function writeAtomically(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.baton-${process.pid}.tmp`;
  const mode = (await stat(path).catch(() => undefined))?.mode;
  await writeFile(temp, text, mode === undefined ? {} : { mode: mode & 0o777 });
  await rename(temp, path);
}
