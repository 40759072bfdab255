import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initCommand } from '../../src/cli/commands/init.js';
import { BatonError } from '../../src/errors.js';
import { runInProcess } from '../cli/in-process.js';

const BATON_BIN = fileURLToPath(new URL('../../../bin/baton.js', import.meta.url));

const init = (argv: string[]) => runInProcess(initCommand, argv);

async function project(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'baton-init-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

type InitJson = { dir: string; dryRun: boolean; changes: { file: string; action: string; note?: string; diff?: string }[] };

test('init claude --json: the documented shape, then all unchanged', async (t) => {
  const dir = await project(t);
  await writeFile(join(dir, '.mcp.json'), '{"mcpServers": {"other": {"command": "x"}}, "theme": "dark"}\n');
  const first = await init(['claude', '--dir', dir, '--json']);
  assert.equal(first.exitCode, 0);
  assert.equal(first.stdout, '', 'the command leaves printing to bin/');
  const json = first.json as InitJson;
  assert.deepEqual(Object.keys(json), ['dir', 'dryRun', 'changes']);
  assert.equal(json.dir, dir);
  assert.equal(json.dryRun, false);
  assert.equal(json.changes.length, 7);
  assert.deepEqual(json.changes[0], { file: '.mcp.json', action: 'updated', note: `baton MCP server added → ${process.execPath} ${BATON_BIN} mcp` });
  assert.ok(json.changes.slice(1).every((c) => c.action === 'created' && c.diff === undefined));
  const config = JSON.parse(await readFile(join(dir, '.mcp.json'), 'utf8')) as { mcpServers: Record<string, { command: string; args: string[] }>; theme: string };
  assert.deepEqual(config.mcpServers.baton, { command: process.execPath, args: [BATON_BIN, 'mcp'] });
  assert.deepEqual(config.mcpServers.other, { command: 'x' });
  assert.equal(config.theme, 'dark');

  const second = await init(['claude', '--dir', dir, '--json']);
  assert.ok((second.json as InitJson).changes.every((c) => c.action === 'unchanged'));
  const text = await init(['claude', '--dir', dir]);
  assert.match(text.text ?? '', /^baton init claude · .*\n {2}unchanged {2}\.mcp\.json/);
  assert.ok(!(text.text ?? '').includes('next:'), 'nothing to restart when nothing changed');
});

test('init claude --dry-run: per-file summary and diffs, nothing written', async (t) => {
  const dir = await project(t);
  const result = await init(['claude', '--dir', dir, '--dry-run']);
  assert.equal(result.exitCode, 0);
  assert.deepEqual(await readdir(dir), []);
  const text = result.text ?? '';
  assert.match(text, /\(dry run: nothing written\)/);
  assert.match(text, /would be created {3}\.claude\/skills\/baton\/SKILL\.md/);
  assert.match(text, /^--- \/dev\/null\n\+\+\+ b\/\.mcp\.json$/m);
  const json = (await init(['claude', '--dir', dir, '--dry-run', '--json'])).json as InitJson;
  assert.equal(json.dryRun, true);
  assert.ok(json.changes.every((c) => c.action === 'created' && c.diff?.startsWith('--- /dev/null')));
  assert.deepEqual(await readdir(dir), []);
});

test('usage errors: no integration, an unknown one (listing the valid ones), extra arguments', async () => {
  const usage = (argv: string[], message: RegExp) =>
    assert.rejects(init(argv), (e: unknown) => {
      assert.ok(e instanceof BatonError);
      assert.equal(e.kind, 'usage');
      assert.match(e.message, message);
      return true;
    });
  await usage([], /baton init needs an integration: claude/);
  await usage(['cursor'], /unknown integration "cursor"; valid: claude/);
  await usage(['claude', 'extra'], /takes no more arguments/);
});

test('--help documents the files, the overwrite policy and the JSON', () => {
  for (const text of ['baton init claude [--dir DIR] [--dry-run] [--json]', '.mcp.json', 'SKILL.md', '/baton-run', 'kept', 'hash', '"changes"', 'created | updated | unchanged | kept']) {
    assert.ok(initCommand.help.includes(text), text);
  }
});

// Through the real binary, once src/cli/main.ts registers the command.
const registered = /^\s+init\s/m.test(spawnSync(process.execPath, [BATON_BIN, '--help'], { encoding: 'utf8' }).stdout);

test('baton init claude through bin/baton.js', { skip: registered ? false : 'init is not registered in src/cli/main.ts yet' }, async (t) => {
  const dir = await project(t);
  const run = (args: string[]) => spawnSync(process.execPath, [BATON_BIN, 'init', ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

  const created = run(['claude', '--dir', dir, '--json']);
  assert.equal(created.status, 0, created.stderr);
  assert.ok((JSON.parse(created.stdout) as InitJson).changes.every((c) => c.action === 'created'));
  const again = run(['claude', '--dir', dir]);
  assert.equal(again.status, 0);
  assert.equal(again.stdout.split('\n').filter((l) => l.startsWith('  unchanged')).length, 7);

  await writeFile(join(dir, '.mcp.json'), '{"mcpServers": {,}}');
  const broken = run(['claude', '--dir', dir, '--json']);
  assert.equal(broken.status, 1);
  assert.match((JSON.parse(broken.stdout) as { error: { kind: string; message: string } }).error.message, /\.mcp\.json is not valid JSON at line 1, column 17/);

  const unknown = run(['cursor']);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /valid: claude/);
});
