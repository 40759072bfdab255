import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const SHELL_ONLY = [/\/node_modules\/@modelcontextprotocol\/sdk\//, /\/node_modules\/hono\//, /\/node_modules\/@hono\//, /\/dist\/src\/integrations\/claude-init\.js$/, /\/dist\/src\/(mcp|ui)\//];

test("import { Baton } from 'baton' loads neither the MCP SDK, Hono nor the Claude init; baton/mcp and baton/ui resolve", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-entry-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const probe = fileURLToPath(new URL('./index-probe.js', import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, [probe, join(dir, 'resolved.log')], { timeout: 60_000 });
  const report = JSON.parse(stdout) as Record<'library' | 'mcp' | 'ui', { url: string; exports: string[]; resolved: string[] }>;

  assert.match(report.library.url, /\/dist\/src\/index\.js$/);
  assert.ok(report.library.exports.includes('Baton') && report.library.exports.includes('Plans'), report.library.exports.join());
  assert.ok(report.library.resolved.length > 10, 'the hook saw the library load');
  const leaked = report.library.resolved.filter((url) => SHELL_ONLY.some((pattern) => pattern.test(url)));
  assert.deepEqual(leaked, [], 'the library entry loads no shell');

  assert.match(report.mcp.url, /\/dist\/src\/mcp\/index\.js$/);
  assert.deepEqual(['createBatonMcpServer', 'initClaude', 'runStdioServer'].filter((name) => !report.mcp.exports.includes(name)), []);
  // The same hook sees the SDK and Hono when the shells load: the check above can fail.
  assert.ok(report.mcp.resolved.some((url) => SHELL_ONLY[0]!.test(url)), 'baton/mcp loads the MCP SDK');
  assert.match(report.ui.url, /\/dist\/src\/ui\/index\.js$/);
  assert.ok(report.ui.exports.includes('startUiServer'), report.ui.exports.join());
  assert.ok(report.ui.resolved.some((url) => SHELL_ONLY[1]!.test(url) || SHELL_ONLY[2]!.test(url)), 'baton/ui loads Hono');
});
