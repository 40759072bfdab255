import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_RUNNER, DEMO_RUNNERS, RUNNER_NAMES, RUNNERS, checkRunnerName, npmPackageOf, stdinRunnersText } from '../../src/runners/registry.js';
import { MissingBinaryError } from '../../src/runners/locate.js';
import { checkPrompt } from '../../src/runners/prompt-limits.js';
import { BatonError } from '../../src/errors.js';

// What every runner in the table must bring besides its module, so that CI fails when one is added without them.

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const source = (path: string) => readFileSync(`${ROOT}${path}`, 'utf8');

test('every runner is registered under its own name', () => {
  assert.ok(RUNNER_NAMES.length > 0);
  for (const name of RUNNER_NAMES) assert.equal(RUNNERS[name].name, name, `RUNNERS.${name} holds an adapter named ${RUNNERS[name].name}`);
  assert.ok(RUNNER_NAMES.includes(DEFAULT_RUNNER));
});

test('every runner with an output format of its own has captured fixtures under test/fixtures/<name>/', () => {
  for (const name of RUNNER_NAMES) {
    if (RUNNERS[name].outputFromOptions) continue;
    const dir = `${ROOT}test/fixtures/${name}`;
    assert.ok(existsSync(dir), `runner ${name} has no captured output in test/fixtures/${name}/`);
    assert.ok(readdirSync(dir).some((file) => /\.(log|jsonl)$/.test(file)), `test/fixtures/${name}/ holds no .log or .jsonl capture`);
  }
});

test('every runner has a contract run: test/contract/<name>.contract.test.ts calling runContract', () => {
  for (const name of RUNNER_NAMES) {
    const file = `test/contract/${name}.contract.test.ts`;
    assert.ok(existsSync(`${ROOT}${file}`), `runner ${name} has no ${file}`);
    assert.match(source(file), /\brunContract\(/, `${file} does not call runContract`);
  }
  // A contract file for a runner no longer in the table would test nothing Baton ships.
  for (const file of readdirSync(`${ROOT}test/contract`).filter((f) => f.endsWith('.contract.test.ts'))) {
    assert.ok((RUNNER_NAMES as string[]).includes(file.replace('.contract.test.ts', '')), `${file} names no runner in the table`);
  }
});

test('the parser robustness run takes its runners from the table, so a new runner is in it', () => {
  // Read from outside: the robustness file is another suite's; a list of its own would let a runner slip past it.
  const robustness = source('test/runners/parser-robustness.test.ts');
  assert.match(robustness, /from '\.\.\/\.\.\/src\/(runners\/registry|index)\.js'/, 'parser-robustness.test.ts does not import the runner table');
  assert.match(robustness, /\b(RUNNERS|RUNNER_NAMES)\b/, 'parser-robustness.test.ts does not iterate RUNNERS');
});

test('a name outside the table is refused by the one check, naming the known runners', () => {
  for (const name of RUNNER_NAMES) assert.equal(checkRunnerName(name), name);
  for (const bad of ['nope', 'constructor', '__proto__', '']) {
    assert.throws(
      () => checkRunnerName(bad),
      (error: unknown) => error instanceof BatonError && error.kind === 'usage' && error.message === `unknown runner "${bad}"; known runners: ${RUNNER_NAMES.join(', ')}`,
    );
  }
});

test('a missing binary names the npm package that installs it, and no made-up one', () => {
  for (const name of RUNNER_NAMES) {
    const runner = RUNNERS[name];
    const message = new MissingBinaryError(runner.binary, {}).message;
    if (runner.npmPackage === undefined) assert.doesNotMatch(message, /npm install/);
    else assert.ok(message.includes(`npm install ${runner.npmPackage})`), message);
  }
  assert.match(new MissingBinaryError('claude', {}).message, /npm install @anthropic-ai\/claude-code\)/);
  // oh-my-opencode's companion is opencode's binary, installed by opencode-ai.
  for (const companion of RUNNERS.omo.companions) assert.equal(npmPackageOf(companion), 'opencode-ai');
  assert.doesNotMatch(new MissingBinaryError('aider', {}).message, /npm install/);
});

test('the long-prompt refusal lists the runners that read stdin, from their own facts', () => {
  const stdinRunners = RUNNER_NAMES.filter((name) => RUNNERS[name].promptRoute({}) !== 'argv');
  const text = stdinRunnersText();
  for (const name of stdinRunners) assert.match(text, new RegExp(`\\b${name}\\b`));
  for (const name of RUNNER_NAMES.filter((n) => RUNNERS[n].stdinOption !== undefined)) assert.ok(text.includes(`${name} with ${RUNNERS[name].stdinOption}`), text);
  const argvOnly = RUNNER_NAMES.find((name) => RUNNERS[name].promptRoute({}) === 'argv' && RUNNERS[name].stdinOption === undefined);
  assert.ok(argvOnly, 'some runner takes its prompt only as an argument');
  assert.throws(() => checkPrompt(RUNNERS[argvOnly], {}, 'x'.repeat(200 * 1024)), (error: Error) => error.message.includes(`(${text})`));
});

test('the demo offers the runners whose adapters say how to run it', () => {
  assert.ok(DEMO_RUNNERS.includes(DEFAULT_RUNNER), 'the default runner has a demo');
  for (const name of RUNNER_NAMES) assert.equal(DEMO_RUNNERS.includes(name), RUNNERS[name].demo !== undefined);
});
