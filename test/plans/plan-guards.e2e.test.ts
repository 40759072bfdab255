import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startPlanSession, write } from './harness.js';

test('plan run refuses a malformed plan with located errors (exit 2) and a repo mid-rebase', async (t) => {
  const session = await startPlanSession(t, { steps: [] });
  const bad = session.writePlan('project: x\nphases:\n  - { id: a, title: 5, prompt: p, colour: red }\n');
  const refused = await session.cli(['plan', 'run', bad]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /plan\.yaml:3:\d+ phases\[0\]\.colour: Unrecognized key/);
  const unlinted = await session.cli(['plan', 'run', session.writePlan(`project: x\ndir: ${session.repo}\nphases:\n  - { id: a, title: t, prompt: "Do the thing" }\n`)]);
  assert.equal(unlinted.code, 2);
  assert.match(unlinted.stderr, /phase a, inline prompt\):1: numbered-steps/);
  const dry = await session.cli(['plan', 'run', session.writePlan(`project: x\ndir: ${session.repo}\nphases:\n  - { id: a, title: t, prompt: p }\n`), '--dry-run', '--no-lint', '--json']);
  assert.equal(dry.code, 0, dry.stderr);
  assert.equal(dry.json.state, 'dry-run');
  const routed = await session.cli(['plan', 'run', session.writePlan(`project: x\ndir: ${session.repo}\nphases:\n  - { id: a, title: t, agent: auto, prompt: "Debug why the race condition in the scheduler deadlocks" }\n`), '--dry-run', '--no-lint', '--json']);
  assert.equal(routed.json.phases[0].agent, 'oracle', 'agent: auto asks baton route');
  session.git('checkout', '-q', '--detach');
  const detached = await session.cli(['plan', 'run', session.writePlan(`project: x\ndir: ${session.repo}\nphases:\n  - { id: a, title: t, prompt: p }\n`), '--no-lint']);
  assert.equal(detached.code, 1);
  assert.match(detached.stderr, /detached HEAD; check out a branch \(or pass --allow-detached\)/);
});

test('a phase cut off by a usage limit waits for the reset and resumes the same session (the run itself is limited, wait exits 4)', async (t) => {
  const session = await startPlanSession(t, {
    steps: [
      // opencode tries six times (retry-after 0 keeps that quick), then gives up: limited.
      { error: { status: 429, message: 'Usage limit reached, resets in 3 seconds', retryAfterSeconds: 0 }, times: 6 },
      write('after.txt', 'after the limit\n'),
      { text: 'Done after the limit.' },
    ],
  });
  const plan = session.writePlan(`project: scratch
dir: ${session.repo}
defaults: { runner: opencode, model: ${session.model} }
phases:
  - { id: "1", title: Limited, prompt: Create after.txt, files: [after.txt] }
`);
  const started = await session.cli(['plan', 'run', plan, '--no-lint', '--json']);
  assert.equal(started.code, 0, started.stderr);
  const done = await session.cli(['plan', 'wait', started.json.id, '--timeout', '100s', '--json'], 110_000);
  assert.equal(done.code, 0, JSON.stringify(done.json, null, 1));
  const [phase] = done.json.phases;
  assert.equal(phase.runs[0].state, 'limited');
  assert.equal(phase.runs[1].kind, 'limit');
  assert.equal(phase.resumes, 0, 'waiting out a limit does not use up the resume bound');
  const first = await session.cli(['wait', phase.runs[0].id, '--json']);
  assert.equal(first.code, 4);
  assert.ok(first.json.runs[0].limitResetAt);
  assert.match(first.json.runs[0].reasons[0], /usage limit reached \(API 429\)/);
  assert.equal(session.git('log', '-1', '--format=%s').trim(), 'Phase 1: Limited');
});

test('one plan per repository: a second plan or a stray run is refused while a plan runs, unless --no-lock; plan stop ends it', async (t) => {
  const session = await startPlanSession(t, { steps: [{ hang: true }] });
  const plan = session.writePlan(`project: scratch
dir: ${session.repo}
defaults: { runner: opencode, model: ${session.model} }
phases:
  - { id: "1", title: Hangs, prompt: Anything }
`);
  const started = await session.cli(['plan', 'run', plan, '--no-lint', '--json']);
  assert.equal(started.code, 0, started.stderr);
  // The driver takes the lock as it starts.
  const deadline = Date.now() + 10_000;
  let second = await session.cli(['plan', 'run', plan, '--no-lint']);
  while (second.code === 0 && Date.now() < deadline) second = await session.cli(['plan', 'run', plan, '--no-lint']);
  assert.equal(second.code, 1);
  assert.match(second.stderr, new RegExp(`locked by plan run ${started.json.id} \\(pid \\d+\\); one plan at a time per repository: wait for it or stop it \\(or pass --no-lock\\)`));
  const stray = await session.cli(['run', '--runner', 'opencode', '--model', session.model, '--dir', session.repo, 'Do something else']);
  assert.equal(stray.code, 1);
  assert.match(stray.stderr, /held by plan run \S+ \(pid \d+\); a second agent would trample its phase: wait for the plan \(or pass --no-lock\)/);
  const allowed = await session.cli(['run', '--json', '--no-lock', '--runner', 'opencode', '--model', session.model, '--dir', session.repo, 'Do something else']);
  assert.equal(allowed.code, 0, allowed.stderr);
  await session.cli(['kill', allowed.json.id]);
  const stopped = await session.cli(['plan', 'stop', started.json.id, '--json']);
  assert.equal(stopped.json.state, 'stopped');
  const after = await session.cli(['plan', 'run', plan, '--no-lint', '--dry-run']);
  assert.equal(after.code, 0, 'the lock is released when the plan stops');
});
