import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { fixPrompt, runVerification } from '../../src/plans/verify.js';

test('a verification that fails silently is fed back as "printed nothing", not an empty code block', async () => {
  const result = await runVerification(['grep -q never-there /dev/null'], tmpdir(), process.env);
  assert.equal(result.exitCode, 1);
  const prompt = fixPrompt(result);
  assert.equal(prompt, 'Fix these errors: `grep -q never-there /dev/null` exited with 1 and printed nothing.\n\nThen run `grep -q never-there /dev/null` again and fix any errors until it passes.');
  assert.doesNotMatch(prompt, /```/);
});

test('a verification that prints its errors has them quoted in a code block', async () => {
  const result = await runVerification(['echo "src/a.ts(3,1): error TS2304" >&2; exit 2'], tmpdir(), process.env);
  assert.equal(result.exitCode, 2);
  assert.match(fixPrompt(result), /exited with 2:\n\n```\nsrc\/a\.ts\(3,1\): error TS2304\n```\n\nThen run/);
});
