import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setLongTimeout } from '../src/long-timer.js';

test('a delay beyond what Node can hold does not fire early', async () => {
  let fired = false;
  const timer = setLongTimeout(() => (fired = true), 25 * 86_400_000);
  // A plain setTimeout of 25 days fires after 1 ms (Node clamps it); give that ample time to show.
  await new Promise((r) => setTimeout(r, 200));
  timer.clear();
  assert.equal(fired, false);
});

test('re-arms chunk by chunk until the whole delay has passed', async () => {
  const started = Date.now();
  const firedAt = await new Promise<number>((resolve) => setLongTimeout(() => resolve(Date.now()), 120, { chunkMs: 25 }));
  // A lower bound only: a timer may run late on a busy machine, never early.
  assert.ok(firedAt - started >= 119, `fired after ${firedAt - started} ms`);
});

test('clear stops a timer between chunks', async () => {
  let fired = false;
  const timer = setLongTimeout(() => (fired = true), 80, { chunkMs: 20 });
  await new Promise((r) => setTimeout(r, 30));
  timer.clear();
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(fired, false);
});
