import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { BatonError } from '../../src/errors.js';
import { initClaude, type InitResult } from '../../src/integrations/claude-init.js';
import { CLAUDE_FILES } from '../../src/integrations/claude-skill.js';
import { findJsonSyntaxError, setJsonValue } from '../../src/integrations/json-syntax.js';
import { mergeMcpServer } from '../../src/integrations/mcp-config.js';
import { decideOwnedFile, isUntouchedBatonFile, withMarker } from '../../src/integrations/owned-file.js';
import { unifiedDiff } from '../../src/integrations/unified-diff.js';

const BIN = '/opt/baton/bin/baton.js';
const NODE = '/usr/local/bin/node';
const SKILL = '.claude/skills/baton/SKILL.md';

async function project(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'baton-init-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const init = (dir: string, dryRun = false) => initClaude({ dir, dryRun, batonBin: BIN, node: NODE });

/** Every file under dir, relative path → bytes. */
async function snapshot(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name);
    files.set(path.slice(dir.length + 1), await readFile(path, 'latin1'));
  }
  return files;
}

const actions = (result: InitResult) => Object.fromEntries(result.changes.map((c) => [c.file, c.action]));

const EXISTING = `{
  "mcpServers": {
    "github": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-github"],
      "env": { "GITHUB_TOKEN": "x" }
    }
  },
  "other": { "keep": true }
}
`;

function frontMatter(text: string): Record<string, unknown> {
  const match = /^---\n([\s\S]*?)\n---\n/.exec(text);
  assert.ok(match, 'front matter first');
  return parseYaml(match[1]!) as Record<string, unknown>;
}

test('merges into an existing .mcp.json: other servers and keys kept, baton added; a second run changes nothing', async (t) => {
  const dir = await project(t);
  await writeFile(join(dir, '.mcp.json'), EXISTING);

  const first = await init(dir);
  assert.equal(first.dir, dir);
  assert.equal(first.dryRun, false);
  assert.deepEqual(actions(first), {
    '.mcp.json': 'updated',
    [SKILL]: 'created',
    '.claude/commands/baton-run.md': 'created',
    '.claude/commands/baton-status.md': 'created',
    '.claude/commands/baton-wait.md': 'created',
    '.claude/commands/baton-resume.md': 'created',
    '.claude/commands/baton-plan.md': 'created',
  });
  const config = JSON.parse(await readFile(join(dir, '.mcp.json'), 'utf8')) as { mcpServers: Record<string, unknown>; other: unknown };
  assert.deepEqual(Object.keys(config), ['mcpServers', 'other']);
  assert.deepEqual(config.other, { keep: true });
  assert.deepEqual(config.mcpServers.github, { command: 'npx', args: ['-y', '@modelcontextprotocol/server-github'], env: { GITHUB_TOKEN: 'x' } });
  assert.deepEqual(config.mcpServers.baton, { command: NODE, args: [BIN, 'mcp'] });
  assert.match(await readFile(join(dir, '.mcp.json'), 'utf8'), /^\{\n {2}"mcpServers": \{\n {4}"github"/, '2-space JSON');

  const before = await snapshot(dir);
  const second = await init(dir);
  assert.ok(second.changes.every((c) => c.action === 'unchanged' && c.diff === ''), JSON.stringify(second.changes));
  assert.deepEqual(await snapshot(dir), before, 'not one byte changed');
});

test('a fresh project gets a new .mcp.json holding only baton', async (t) => {
  const dir = await project(t);
  const result = await init(dir);
  assert.equal(actions(result)['.mcp.json'], 'created');
  assert.equal(await readFile(join(dir, '.mcp.json'), 'utf8'), `${JSON.stringify({ mcpServers: { baton: { command: NODE, args: [BIN, 'mcp'] } } }, null, 2)}\n`);
});

test('--dry-run writes nothing and shows the diffs', async (t) => {
  const dir = await project(t);
  await writeFile(join(dir, '.mcp.json'), EXISTING);
  const before = await snapshot(dir);
  const result = await init(dir, true);
  assert.equal(result.dryRun, true);
  assert.deepEqual(await snapshot(dir), before);
  const mcp = result.changes.find((c) => c.file === '.mcp.json');
  assert.equal(mcp?.action, 'updated');
  assert.match(mcp?.diff ?? '', /^--- a\/\.mcp\.json\n\+\+\+ b\/\.mcp\.json\n@@ /);
  assert.match(mcp?.diff ?? '', /^\+ {4}"baton": \{$/m);
  const skill = result.changes.find((c) => c.file === SKILL);
  assert.equal(skill?.action, 'created');
  assert.match(skill?.diff ?? '', /^--- \/dev\/null\n\+\+\+ b\/\.claude\/skills\/baton\/SKILL\.md\n@@ -0,0 \+1,\d+ @@\n\+---\n\+name: baton\n/);
  // And the real run then does exactly what the dry run announced.
  assert.deepEqual(actions(await init(dir)), actions(result));
});

test('an invalid .mcp.json is refused with file, line and column; nothing is written', async (t) => {
  const dir = await project(t);
  const broken = '{\n  "mcpServers": {\n    "github": { "command": "npx", },\n  }\n}\n';
  await writeFile(join(dir, '.mcp.json'), broken);
  await assert.rejects(init(dir), (error: unknown) => {
    assert.ok(error instanceof BatonError);
    assert.equal(error.kind, 'conflict');
    assert.ok(error.message.includes(join(dir, '.mcp.json')), error.message);
    assert.match(error.message, /is not valid JSON at line 3, column 35: .*trailing comma.*nothing was changed/);
    return true;
  });
  assert.deepEqual([...(await snapshot(dir)).keys()], ['.mcp.json']);
  assert.equal(await readFile(join(dir, '.mcp.json'), 'utf8'), broken);

  await writeFile(join(dir, '.mcp.json'), '{"mcpServers": []}');
  await assert.rejects(init(dir), /"mcpServers" must be an object \(it is an array\)/);
  await writeFile(join(dir, '.mcp.json'), '[1]');
  await assert.rejects(init(dir), /must hold a JSON object \(it holds an array\)/);
  assert.deepEqual([...(await snapshot(dir)).keys()], ['.mcp.json']);
});

test('a differing baton entry is updated, keeping keys the user added to it', async (t) => {
  const dir = await project(t);
  await writeFile(join(dir, '.mcp.json'), `{\n\t"mcpServers": {\n\t\t"baton": {"command": "node", "args": ["/old/bin/baton.js", "mcp"], "env": {"BATON_HOME": "/x"}}\n\t}\n}`);
  const result = await init(dir);
  const mcp = result.changes.find((c) => c.file === '.mcp.json');
  assert.equal(mcp?.action, 'updated');
  assert.match(mcp?.note ?? '', /updated → .* \(was node \/old\/bin\/baton\.js mcp\)/);
  const text = await readFile(join(dir, '.mcp.json'), 'utf8');
  assert.ok(text.startsWith('{\n\t"mcpServers": {\n\t\t"baton": {'), 'keeps tab indentation');
  assert.ok(!text.endsWith('\n'), 'keeps the missing final newline');
  assert.deepEqual(JSON.parse(text), { mcpServers: { baton: { command: NODE, args: [BIN, 'mcp'], env: { BATON_HOME: '/x' } } } });
});

test('a user-edited skill is kept and reported; an untouched older Baton version is updated; a foreign file is kept', async (t) => {
  const dir = await project(t);
  await init(dir);
  const skillPath = join(dir, SKILL);
  const edited = `${await readFile(skillPath, 'utf8')}\n## My own notes\nAlways use the oracle agent.\n`;
  await writeFile(skillPath, edited);
  const oldVersion = withMarker('---\ndescription: an older Baton version\n---\nRun things.\n');
  await writeFile(join(dir, '.claude/commands/baton-run.md'), oldVersion);
  await writeFile(join(dir, '.claude/commands/baton-plan.md'), 'my own plan command\n');

  const result = await init(dir);
  const bySkill = result.changes.find((c) => c.file === SKILL);
  assert.equal(bySkill?.action, 'kept');
  assert.match(bySkill?.note ?? '', /edited by you/);
  assert.equal(await readFile(skillPath, 'utf8'), edited);
  assert.equal(actions(result)['.claude/commands/baton-run.md'], 'updated');
  assert.equal(await readFile(join(dir, '.claude/commands/baton-run.md'), 'utf8'), withMarker(CLAUDE_FILES.find((f) => f.file.endsWith('baton-run.md'))!.content));
  const foreign = result.changes.find((c) => c.file === '.claude/commands/baton-plan.md');
  assert.equal(foreign?.action, 'kept');
  assert.match(foreign?.note ?? '', /not written by baton init/);
  assert.equal(await readFile(join(dir, '.claude/commands/baton-plan.md'), 'utf8'), 'my own plan command\n');

  // Kept stays kept: running again still leaves them alone.
  assert.deepEqual(actions(await init(dir)), { ...actions(result), '.claude/commands/baton-run.md': 'unchanged' });
});

test('the skill and the commands have the front matter Claude Code reads', () => {
  const skill = CLAUDE_FILES.find((f) => f.file === SKILL)!;
  const meta = frontMatter(withMarker(skill.content));
  assert.equal(meta.name, 'baton');
  assert.match(String(meta.name), /^[a-z0-9-]{1,64}$/);
  assert.equal(typeof meta.description, 'string');
  assert.ok(String(meta.description).length > 50 && String(meta.description).length <= 1024);
  for (const text of ['baton prompt new', 'baton prompt lint', 'baton plan run', 'baton run', 'baton wait', 'run_in_background', 'not done', 'baton status', 'baton resume', 'Phase <id>: <title>', '| 124 |', '`incomplete`', '`limited`', '`stalled`']) {
    assert.ok(skill.content.includes(text), `skill mentions ${text}`);
  }
  for (const { file, content } of CLAUDE_FILES.filter((f) => f.file.startsWith('.claude/commands/'))) {
    const command = frontMatter(withMarker(content));
    assert.equal(typeof command.description, 'string', file);
    assert.match(String(command['allowed-tools']), /Bash\(baton:\*\)/, file);
    assert.ok(content.includes('$ARGUMENTS'), `${file} takes $ARGUMENTS`);
  }
  assert.ok(isUntouchedBatonFile(withMarker(skill.content)));
});

test('the skill and the commands teach run → wait (again while not done) → act on the end report, with no status call after it', () => {
  const skill = CLAUDE_FILES.find((f) => f.file === SKILL)!.content;
  assert.ok(skill.includes('**run → wait (repeat while it is not done) → act on the end report**'));
  assert.match(skill, /do not call `status` after it/);
  assert.match(skill, /plan_run` → `plan_wait`/);
  assert.ok(!skill.includes('done: false'), 'no wait answers done: false any more');
  for (const name of ['baton-run.md', 'baton-wait.md', 'baton-resume.md', 'baton-plan.md']) {
    const text = CLAUDE_FILES.find((f) => f.file === `.claude/commands/${name}`)!.content;
    const afterWait = text.slice(text.search(/baton (plan )?wait/));
    assert.ok(!/\b(then|and) run `baton (plan )?status/i.test(afterWait), `${name} asks for no status call after the wait`);
    assert.match(afterWait, /no `baton (plan )?status` call|Do not run `baton status` after it|without a `baton (plan )?status` call/, `${name} says the end report is enough`);
  }
});

test('the templates use only real commands and flags', async () => {
  const modules: Record<string, () => Promise<{ options: Record<string, unknown> }>> = {
    run: async () => (await import('../../src/cli/commands/run.js')).runCommand,
    status: async () => (await import('../../src/cli/commands/status.js')).statusCommand,
    wait: async () => (await import('../../src/cli/commands/wait.js')).waitCommand,
    tail: async () => (await import('../../src/cli/commands/tail.js')).tailCommand,
    kill: async () => (await import('../../src/cli/commands/kill.js')).killCommand,
    resume: async () => (await import('../../src/cli/commands/resume.js')).resumeCommand,
    diff: async () => (await import('../../src/cli/commands/diff.js')).diffCommand,
    prompt: async () => (await import('../../src/cli/commands/prompt.js')).promptCommand,
    route: async () => (await import('../../src/cli/commands/route.js')).routeCommand,
    plan: async () => (await import('../../src/cli/commands/plan.js')).planCommand,
  };
  let checked = 0;
  for (const { file, content } of CLAUDE_FILES) {
    for (const match of content.matchAll(/\bbaton ([a-z][a-z-]*)([^`\n]*)/g)) {
      const [, name, rest] = match;
      const load = modules[name!];
      assert.ok(load, `${file}: unknown command "baton ${name}"`);
      const options = (await load()).options;
      for (const [, flagName] of (rest ?? '').matchAll(/(?:^|\s)--([a-z][a-z-]*)/g)) {
        assert.ok(flagName === 'json' || flagName === 'help' || flagName! in options, `${file}: baton ${name} has no --${flagName}`);
        checked++;
      }
    }
  }
  assert.ok(checked > 10, `checked ${checked} flags`);
});

test('--dir must be an existing directory', async (t) => {
  const dir = await project(t);
  await assert.rejects(init(join(dir, 'nope')), (e: unknown) => e instanceof BatonError && e.kind === 'usage' && /does not exist/.test(e.message));
  await writeFile(join(dir, 'file'), '');
  await assert.rejects(init(join(dir, 'file')), /is not a directory/);
});

test('a directory where a file should go is a clear error, nothing written', async (t) => {
  const dir = await project(t);
  await mkdir(join(dir, '.claude/commands/baton-wait.md'), { recursive: true });
  await assert.rejects(init(dir), /baton-wait\.md is a directory/);
  assert.deepEqual([...(await snapshot(dir)).keys()], []);
});

test('findJsonSyntaxError locates what JSON.parse leaves unplaced', () => {
  assert.equal(findJsonSyntaxError('{"a": [1, 2.5e3, "x\\u00e9", true, null]}'), undefined);
  assert.deepEqual(findJsonSyntaxError('{\n "a": x}'), { offset: 8, line: 2, column: 7, message: 'unexpected "x" (expected a value)' });
  assert.equal(findJsonSyntaxError('{"a":1,}')?.message, 'unexpected "}" (trailing comma)');
  assert.equal(findJsonSyntaxError('{"a":1')?.message, "unexpected end of input (expected ',' or '}')");
  assert.equal(findJsonSyntaxError('{"a":1} x')?.column, 9);
  assert.equal(findJsonSyntaxError('{a:1}')?.message, 'unexpected "a" (expected a double-quoted string)');
  assert.equal(findJsonSyntaxError('"\\q"')?.message, 'unexpected "q" (bad escape)');
  assert.equal(findJsonSyntaxError('01')?.column, 2);
  // Strict JSON, as Claude Code reads .mcp.json; string errors point at the offending character.
  assert.equal(findJsonSyntaxError('{"a": 1 // note\n}')?.message, 'unexpected "/" (comments are not JSON)');
  assert.deepEqual(findJsonSyntaxError('{\n  "a": "x\\u00zz"\n}'), { offset: 12, line: 2, column: 11, message: 'unexpected "u" (bad \\u escape)' });
  assert.equal(findJsonSyntaxError('[1,]')?.message, 'unexpected "]" (trailing comma)');
  assert.equal(findJsonSyntaxError('')?.message, 'unexpected end of input (expected a value)');
});

test('setJsonValue changes only the value it sets, laid out like the rest of the file', () => {
  const multi = '{\n    "mcpServers": {\n        "a": { "command": "x" }\n    },\n    "theme": "dark"\n}';
  assert.equal(
    setJsonValue(multi, ['mcpServers', 'b'], { command: 'y' }),
    '{\n    "mcpServers": {\n        "a": { "command": "x" },\n        "b": {\n            "command": "y"\n        }\n    },\n    "theme": "dark"\n}',
  );
  // An object kept on one line stays on one line; a missing parent is created.
  assert.equal(setJsonValue('{"theme": "dark"}\n', ['mcpServers', 'b', 'args'], ['m']), '{"theme": "dark","mcpServers": {"b":{"args":["m"]}}}\n');
  assert.equal(setJsonValue('{"a": {"command": "x", "env": {}}}', ['a', 'command'], 'y'), '{"a": {"command": "y", "env": {}}}');
  assert.equal(setJsonValue('{\n  "mcpServers": {}\n}\n', ['mcpServers', 'b'], 1), '{\n  "mcpServers": {\n    "b": 1\n  }\n}\n');
});

test('merging the baton entry leaves every line of the user\'s .mcp.json it does not own as it was', () => {
  const mine = '{\n  "mcpServers": {\n    "github": {"command": "npx", "args": ["-y", "gh"]},\n    "baton": {"command": "node", "args": ["/old.js", "mcp"], "env": {"K": "v"}}\n  },\n  "other": [1, 2, 3]\n}\n';
  const merged = mergeMcpServer('.mcp.json', mine, 'baton', { command: NODE, args: [BIN, 'mcp'] });
  assert.equal(merged.action, 'updated');
  assert.deepEqual(
    unifiedDiff('.mcp.json', mine, merged.text).split('\n').filter((l) => /^[-+](?![-+])/.test(l)),
    ['-    "baton": {"command": "node", "args": ["/old.js", "mcp"], "env": {"K": "v"}}', `+    "baton": {"command": "${NODE}", "args": ["${BIN}","mcp"], "env": {"K": "v"}}`],
  );
});

test('unifiedDiff: hunks with context, nothing for equal texts', () => {
  assert.equal(unifiedDiff('f', 'a\n', 'a\n'), '');
  assert.equal(unifiedDiff('f', null, 'a\nb\n'), '--- /dev/null\n+++ b/f\n@@ -0,0 +1,2 @@\n+a\n+b\n');
  assert.equal(unifiedDiff('f', 'a\n', 'a'), '--- a/f\n+++ b/f\n@@ -1,1 +1,1 @@\n-a\n+a\n\\ No newline at end of file\n');
  const before = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join('\n') + '\n';
  const after = before.replace('line 3\n', 'line three\n').replace('line 18\n', '');
  assert.equal(
    unifiedDiff('f', before, after),
    ['--- a/f', '+++ b/f', '@@ -1,6 +1,6 @@', ' line 1', ' line 2', '-line 3', '+line three', ' line 4', ' line 5', ' line 6', '@@ -15,6 +15,5 @@', ' line 15', ' line 16', ' line 17', '-line 18', ' line 19', ' line 20', ''].join('\n'),
  );
});

test('decideOwnedFile: the policy in one table', () => {
  const desired = withMarker('new\n');
  assert.deepEqual(decideOwnedFile(null, desired), { action: 'created' });
  assert.deepEqual(decideOwnedFile(desired, desired), { action: 'unchanged' });
  assert.deepEqual(decideOwnedFile(withMarker('old\n'), desired), { action: 'updated' });
  assert.equal(decideOwnedFile(withMarker('old\n').replace('old', 'mine'), desired).action, 'kept');
  assert.equal(decideOwnedFile('no marker\n', desired).action, 'kept');
  assert.deepEqual(decideOwnedFile(withMarker('old\n').replace(/\n/g, '\r\n'), desired), { action: 'updated' }, 'CRLF checkouts still count as untouched');
});
