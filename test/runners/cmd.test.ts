import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fillTemplate, splitWords } from '../../src/runners/argv-template.js';
import { cmdRunner } from '../../src/runners/cmd.js';

test('templates split like shell words, without a shell', () => {
  assert.deepEqual(splitWords(`aider --yes-always --message {prompt}`), ['aider', '--yes-always', '--message', '{prompt}']);
  assert.deepEqual(splitWords(`gemini -p "{prompt}" --model 'gemini 2' a\\ b`), ['gemini', '-p', '{prompt}', '--model', 'gemini 2', 'a b']);
  assert.throws(() => splitWords(`x "unclosed`), /unclosed " quote/);
});

test('the prompt fills its placeholder as one argv element, $(…) and all', () => {
  const prompt = 'fix "it" $(rm -rf /) `x`\nline two';
  assert.deepEqual(fillTemplate(['agent', '--message', '{prompt}', '--cwd={dir}'], { prompt, dir: '/r', session: undefined }), ['agent', '--message', prompt, '--cwd=/r']);
  assert.throws(() => fillTemplate(['agent', '--resume', '{session}'], { prompt: 'p', dir: '/r', session: undefined }), /no session/);
});

test('options are checked, each error naming what is wrong', () => {
  const check = cmdRunner.checkOptions!;
  assert.throws(() => check({}), /needs command=/);
  assert.throws(() => check({ command: 'aider --yes' }), /must contain \{prompt\}, or set input=stdin/);
  assert.throws(() => check({ command: 'aider {prompt}', colour: 'x' }), /unknown option "colour"/);
  assert.throws(() => check({ command: 'aider {prompt}', session: '(' }), /session is not a valid regular expression/);
  assert.deepEqual(check({ command: 'aider {prompt}', completion: 'Done' }), { command: 'aider {prompt}', completion: 'Done' });
  assert.equal(cmdRunner.executableFor!({ command: 'aider {prompt}' }), 'aider');
});

test('the parser finds the session, the completion line, errors and the final lines', () => {
  const parser = cmdRunner.createParser({ command: 'x {prompt}', session: 'session: (\\S+)', completion: '^DONE$', error: 'ERROR' });
  const events = [
    ...parser.push('starting, session: abc-123'),
    ...parser.push('ERROR: rate limit exceeded (429)'),
    ...parser.push('DONE'),
    ...parser.end(),
  ];
  assert.deepEqual(events[0], { kind: 'session', sessionId: 'abc-123' });
  assert.equal(events[1]!.kind, 'error');
  assert.equal((events[1] as { api: boolean }).api, true);
  assert.deepEqual(events[2], { kind: 'completion' });
  assert.equal(events[3]!.kind, 'text');
});
