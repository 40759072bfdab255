import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Baton } from '../src/baton.js';
import { BatonError, INPUT_FIELDS, renderError } from '../src/errors.js';
import { acquireRepoLock } from '../src/repo-lock.js';
import { CLI_FIELDS } from '../src/cli/fields.js';
import { makeGitRepo } from './mock-model/agent-harness.js';

/** The BatonError a call rejects with (a different error fails the test). */
async function rejection(call: () => Promise<unknown>): Promise<BatonError> {
  try {
    await call();
  } catch (error) {
    assert.ok(error instanceof BatonError, `a BatonError, got ${String(error)}`);
    return error;
  }
  assert.fail('the call did not throw');
}

test('the library names the input an error is about as a field, and no CLI flag', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'baton-errors-'));
  const repo = await makeGitRepo();
  const baton = new Baton({ home, env: { ...process.env, BATON_HOME: home } });
  t.after(() => {
    baton.close();
    rmSync(home, { recursive: true, force: true });
    rmSync(repo, { recursive: true, force: true });
  });
  const cmd = { runner: 'cmd', runnerOptions: { command: 'true {prompt}' } } as const;
  const cases: Array<[BatonError, Partial<BatonError>]> = [
    [await rejection(() => baton.run({ dir: '/no/such/dir', prompt: 'x' })), { kind: 'usage', field: 'dir', message: '/no/such/dir does not exist' }],
    [await rejection(() => baton.run({ dir: repo, prompt: '  ' })), { kind: 'usage', field: 'prompt' }],
    [await rejection(() => baton.run({ dir: repo, prompt: 'x', promptFile: 'p.txt' })), { kind: 'usage', field: 'promptFile' }],
    [await rejection(() => baton.run({ dir: repo, promptFile: '/no/such/prompt.txt' })), { kind: 'usage', field: 'promptFile', message: 'cannot read /no/such/prompt.txt: ENOENT' }],
    [await rejection(() => baton.run({ dir: repo, prompt: 'x', runner: 'nope' as 'cmd' })), { kind: 'usage', field: 'runner' }],
    [await rejection(() => baton.run({ dir: repo, prompt: 'x', runner: 'cmd', runnerOptions: {} })), { kind: 'usage', field: 'runnerOptions' }],
    [await rejection(() => baton.run({ dir: repo, prompt: 'x', ...cmd, stallAfterMs: 0 })), { kind: 'usage', field: 'stallAfter' }],
    [await rejection(() => baton.run({ dir: repo, prompt: 'x', ...cmd, timeoutMs: Number.POSITIVE_INFINITY })), { kind: 'usage', field: 'timeout' }],
  ];
  const release = await acquireRepoLock(repo, 'plan run test');
  t.after(release);
  cases.push([await rejection(() => baton.run({ dir: repo, prompt: 'x', ...cmd })), { kind: 'conflict', override: 'lock' }]);
  for (const [error, expected] of cases) {
    for (const [key, value] of Object.entries(expected)) assert.equal(error[key as keyof BatonError], value, `${key} of "${error.message}"`);
    for (const flag of Object.values(CLI_FIELDS.name)) assert.ok(!error.message.includes(`${flag} `) && !error.message.endsWith(flag), `"${error.message}" names no CLI flag (${flag})`);
  }
  assert.deepEqual(await baton.list(), [], 'nothing was launched');
});

test('a shell renders a field as its own name, and an override after the first line', () => {
  assert.equal(renderError(new BatonError('usage', '/x does not exist', { field: 'dir' }), CLI_FIELDS), '--dir: /x does not exist');
  assert.equal(
    renderError(new BatonError('usage', 'the phase prompts have lint errors; fix them:\na.txt:1: rule', { override: 'lint' }), CLI_FIELDS),
    'the phase prompts have lint errors; fix them (or pass --no-lint):\na.txt:1: rule',
  );
  assert.equal(renderError(new BatonError('not-found', 'no run "x"'), CLI_FIELDS), 'no run "x"');
  for (const field of INPUT_FIELDS) assert.match(CLI_FIELDS.name[field], /^(--[a-z-]+|[A-Z]+)$/, field);
});
