import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadScript, parseScript, ScriptError } from '../../src/mock-model/index.js';

const tempDirs: string[] = [];
after(() => Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true }))));

async function scriptFile(content: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'baton-script-'));
  tempDirs.push(dir);
  const path = join(dir, 'script.json');
  await writeFile(path, content);
  return path;
}

test('defaults: title, onExhausted, times and delayMs', () => {
  const script = parseScript({ steps: [{ text: 'hi' }] });
  assert.equal(script.title, 'Scripted session');
  assert.deepEqual(script.onExhausted, { text: 'Script exhausted.' });
  assert.deepEqual(script.steps, [{ kind: 'answer', text: 'hi', tools: [], times: 1, delayMs: 0 }]);
});

test('normalises each kind of step', () => {
  const script = parseScript({
    steps: [
      { tools: [{ name: 'read', args: { filePath: 'a' } }, { name: 'bash' }] },
      { error: { status: 429, message: 'slow down', retryAfterSeconds: 2 }, times: 3 },
      { hang: true },
      { malformed: true, delayMs: 10 },
    ],
  });
  assert.deepEqual(
    script.steps.map((step) => step.kind),
    ['answer', 'error', 'hang', 'malformed'],
  );
  assert.deepEqual(script.steps[0], {
    kind: 'answer',
    text: undefined,
    tools: [
      { name: 'read', args: { filePath: 'a' } },
      { name: 'bash', args: {} },
    ],
    times: 1,
    delayMs: 0,
  });
  assert.equal(script.steps[1]?.times, 3);
  assert.equal(script.steps[3]?.delayMs, 10);
});

test('loadScript names the file and the field that is wrong', async () => {
  const path = await scriptFile(
    JSON.stringify({ steps: [{ text: 'a' }, { text: 'b' }, { tools: [{ name: 42, args: {} }] }] }),
  );
  await assert.rejects(loadScript(path), (error: unknown) => {
    assert.ok(error instanceof ScriptError);
    assert.ok(error.message.startsWith(`${path}: invalid script`), error.message);
    assert.match(error.message, /steps\[2\]\.tools\[0\]\.name: .*expected string/);
    return true;
  });
});

test('rejects unknown fields, steps of no kind or two kinds, bad numbers', () => {
  const cases: [unknown, RegExp][] = [
    [{ steps: [{ txt: 'typo' }] }, /steps\[0\]: Unrecognized key: "txt"/],
    [{ steps: [{ delayMs: 5 }] }, /steps\[0\]: a step needs one of text, tools, error, hang or malformed/],
    [{ steps: [{ text: 'a', hang: true }] }, /steps\[0\]: a step must be exactly one kind, got text\/tools \+ hang/],
    [{ steps: [{ text: 'a', times: 0 }] }, /steps\[0\]\.times: /],
    [{ steps: [{ error: { status: 200, message: 'ok?' } }] }, /steps\[0\]\.error\.status: /],
    [{ steps: [{ hang: false }] }, /steps\[0\]\.hang: /],
    [{ steps: 'none' }, /steps: .*expected array/],
    [[], /\(root\): .*expected object/],
  ];
  for (const [input, expected] of cases) {
    assert.throws(() => parseScript(input, 'inline.json'), (error: unknown) => {
      assert.ok(error instanceof ScriptError);
      assert.match(error.message, /^inline\.json: invalid script/);
      assert.match(error.message, expected);
      return true;
    });
  }
});

test('loadScript reports unreadable files and bad JSON with the path', async () => {
  const missing = join(tmpdir(), 'baton-no-such-script.json');
  await assert.rejects(loadScript(missing), new RegExp(`^ScriptError: ${missing}: cannot read script`));
  const broken = await scriptFile('{ "steps": [ ');
  await assert.rejects(loadScript(broken), (error: unknown) => {
    assert.ok(error instanceof ScriptError);
    assert.ok(error.message.startsWith(`${broken}: not valid JSON`), error.message);
    return true;
  });
});

test('loadScript reads a valid file', async () => {
  const path = await scriptFile(JSON.stringify({ title: 'T', steps: [], onExhausted: { text: 'bye' } }));
  assert.deepEqual(await loadScript(path), { title: 'T', steps: [], onExhausted: { text: 'bye' } });
});

test('steps with workdirName are taken only by requests from that folder; the rest of the script keeps its order', async () => {
  const { ScriptCursor } = await import('../../src/mock-model/script-cursor.js');
  const cursor = new ScriptCursor(
    parseScript({
      steps: [
        { text: 'b1', workdirName: 'B' },
        { text: 'c1', workdirName: 'C', times: 2 },
        { text: 'b2', workdirName: 'B' },
        { text: 'any' },
      ],
    }),
  );
  const from = (dir: string) => ({ model: 'm', hasTools: true, toolNames: [], lastUserText: null, stream: true, systemText: `<env>\n  Working directory: ${dir}\n</env>` });
  const texts = ['/w/C', '/w/B', '/w/C', '/w/C', '/w/B', '/w/B'].map((dir, seq) => {
    const reply = cursor.next(from(dir), seq).reply;
    return reply.kind === 'answer' ? reply.text : reply.kind;
  });
  assert.deepEqual(texts, ['c1', 'b1', 'c1', 'any', 'b2', 'Script exhausted.']);
});
