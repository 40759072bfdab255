import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { BATON_BIN, runCli } from './harness.js';
import { waitFor } from '../wait-for.js';

/** What may reach the reader's terminal besides printable text: newlines and tabs, nothing else. */
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\u009f]/;
/** Baton's own colours, the only escapes allowed through when colour is on. */
const OWN_STYLE = /\x1b\[(?:1|2|22|31|32|33|36|39)m/g;

const HOSTILE_OUTPUT = [
  'start \x1bc reset',
  'charset \x1b(0 lqqk',
  'title \x1b]0;pwned\x07 osc',
  'link \x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\',
  'c1 csi \u009b2J \u009d0;t\u009c',
  'bell\x07 del\x7f back\b\b cr\rover',
  'Error: model said \x1b[2J\x1b[H boom \u009b31m',
  'final words \x1b[5mblink\x1b[0m',
].join('\n');

const HOSTILE_NAME = 'evil\nname\x1b[31m\x1bc\u009b2J';

test('nothing an agent prints or a user names reaches the terminal as a control, unless --raw', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'baton-escapes-'));
  const script = join(home, 'hostile.mjs');
  writeFileSync(script, `process.stdout.write(${JSON.stringify(`${HOSTILE_OUTPUT}\n`)}); process.exit(1);\n`);
  const env = { ...process.env, BATON_HOME: home, NO_COLOR: '1' };
  const launched = await runCli(
    ['run', '--json', '--runner', 'cmd', '--runner-option', `command=${process.execPath} ${script} {prompt}`, '--runner-option', 'error=^Error', '--name', HOSTILE_NAME, '--dir', home, 'go'],
    env,
  );
  assert.equal(launched.code, 0, launched.stderr);
  const id = launched.json.id as string;
  const waited = await runCli(['wait', id, '--timeout', '60s'], env);
  assert.equal(waited.code, 1, waited.stderr);
  t.diagnostic(`wait printed: ${JSON.stringify(waited.stdout)}`);

  const outputs = {
    wait: waited.stdout,
    tail: (await runCli(['tail', id], env)).stdout,
    status: (await runCli(['status', id], env)).stdout,
    'status --full': (await runCli(['status', id, '--full'], env)).stdout,
    list: (await runCli(['list'], env)).stdout,
    'status of an id with escapes': (await runCli(['status', 'no\x1bcsuch'], env)).stderr,
  };
  for (const [command, text] of Object.entries(outputs)) {
    assert.ok(text.length > 0, `${command} printed something`);
    assert.doesNotMatch(text, CONTROL, `${command} let a control through: ${JSON.stringify(text)}`);
  }
  assert.match(outputs.tail, /title  osc/);
  assert.match(outputs.tail, /final words blink/);
  assert.match(outputs.status, /boom/, 'the error still shows, without its escapes');

  // The name stays on one line, its controls shown as escapes, and the table keeps one row per run.
  const listLines = outputs.list.trimEnd().split('\n');
  assert.equal(listLines.length, 2, outputs.list);
  assert.ok(listLines[1]!.includes('evil\\nname\\e[31m\\ec\\x9b2J'), listLines[1]);
  assert.ok(outputs.status.includes('"evil\\nname\\e[31m\\ec\\x9b2J"'), outputs.status);

  // With colour on, only Baton's own colour codes are written.
  const coloured = await runCli(['status', id, '--full'], { ...env, NO_COLOR: '', FORCE_COLOR: '1' });
  assert.match(coloured.stdout, OWN_STYLE);
  assert.doesNotMatch(coloured.stdout.replace(OWN_STYLE, ''), CONTROL);

  // --raw is the way to the bytes as written; JSON keeps the data.
  const raw = await runCli(['tail', id, '--raw'], env);
  assert.ok(raw.stdout.includes('\x1bc'), 'tail --raw keeps the output as the agent wrote it');
  const json = await runCli(['list', '--json'], env);
  assert.equal(json.json[0].name, HOSTILE_NAME);
});

test('tail -f strips what an agent prints while it runs, even a sequence split across writes', async () => {
  const home = mkdtempSync(join(tmpdir(), 'baton-escapes-follow-'));
  const script = join(home, 'slow.mjs');
  const pieces = ['one \x1b]0;ti', 'tle\x07 two \x1b[3', '1m three \u009b', '2J four \x1bc', ' five\n'];
  writeFileSync(
    script,
    `const pieces = ${JSON.stringify(pieces)};
await new Promise((r) => setTimeout(r, 1500));
for (const piece of pieces) { process.stdout.write(piece); await new Promise((r) => setTimeout(r, 300)); }
`,
  );
  const env = { ...process.env, BATON_HOME: home, NO_COLOR: '1' };
  const launched = await runCli(['run', '--json', '--runner', 'cmd', '--runner-option', `command=${process.execPath} ${script} {prompt}`, '--dir', home, 'go'], env);
  assert.equal(launched.code, 0, launched.stderr);
  const followed = await runCli(['tail', launched.json.id, '-f'], env, 60_000);
  assert.equal(followed.code, 0, followed.stderr);
  assert.doesNotMatch(followed.stdout, CONTROL, JSON.stringify(followed.stdout));
  assert.equal(followed.stdout.replace(/\s+/g, ' ').trim(), 'one two three four five');
});

test('tail -f started while the last line is cut mid escape sequence strips it whole once the rest arrives', async () => {
  const home = mkdtempSync(join(tmpdir(), 'baton-escapes-cut-'));
  const script = join(home, 'cut.mjs');
  const go = join(home, 'go');
  // The rest is written only once the test says so: tail -f has then certainly read the cut line.
  writeFileSync(
    script,
    `import { existsSync } from 'node:fs';
process.stdout.write('one \\x1b]0;ti');
const deadline = Date.now() + 60_000;
while (!existsSync(${JSON.stringify(go)}) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
process.stdout.write('tle\\x07 two \\x1b[31m three\\n');
`,
  );
  const env = { ...process.env, BATON_HOME: home, NO_COLOR: '1' };
  const launched = await runCli(['run', '--json', '--runner', 'cmd', '--runner-option', `command=${process.execPath} ${script} {prompt}`, '--dir', home, 'go'], env);
  assert.equal(launched.code, 0, launched.stderr);
  const id = launched.json.id as string;
  await waitFor(async () => (await runCli(['tail', '--raw', '--json', id], env)).json?.lines?.join('') === 'one \x1b]0;ti', { what: 'the cut line in the log', timeoutMs: 60_000 });

  const follower = spawn(process.execPath, [BATON_BIN, 'tail', id, '-f'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  follower.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  const exited = new Promise<number | null>((resolve) => follower.once('exit', resolve));
  const bound = setTimeout(() => follower.kill('SIGKILL'), 90_000);
  try {
    await waitFor(() => stdout.includes('one'), { what: 'tail -f to print the cut line', timeoutMs: 60_000 });
    writeFileSync(go, '');
    assert.equal(await exited, 0);
  } finally {
    clearTimeout(bound);
  }
  assert.doesNotMatch(stdout, CONTROL, JSON.stringify(stdout));
  assert.equal(stdout.replace(/\s+/g, ' ').trim(), 'one two three');
});
