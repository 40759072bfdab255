import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPlanSession, write } from './harness.js';
import { waitFor } from '../wait-for.js';

test('a 4-phase plan in order 5, 7, 6, 8 → four commits in that order, each with only its files; the user\'s edits untouched', async (t) => {
  const session = await startPlanSession(t, {
    steps: ['5', '7', '6', '8'].flatMap((id) => [write(`phase${id}.txt`, `phase ${id}\n`), { text: `Phase ${id} done.` }]),
  });
  // The user's own uncommitted work: a modified tracked file and an untracked one.
  writeFileSync(join(session.repo, 'README.md'), '# scratch repo\nmy local edit\n');
  writeFileSync(join(session.repo, 'scratch.txt'), 'my notes\n');
  const phases = ['5', '6', '7', '8']
    .map((id) => `  - { id: "${id}", title: "Step ${id}", prompt: "Create phase${id}.txt", files: [phase${id}.txt], verify: ["test -f phase${id}.txt"] }`)
    .join('\n');
  const plan = session.writePlan(`project: scratch\ndir: ${session.repo}\ndefaults: { runner: opencode, model: ${session.model} }\nphases:\n${phases}\norder: ["5", "7", "6", "8"]\n`);
  const notified = join(session.root, 'complete.json');
  const started = await session.cli(['plan', 'run', plan, '--no-lint', '--on-complete', `tee ${notified}`, '--json']);
  assert.equal(started.code, 0, started.stderr);
  assert.deepEqual(started.json.phases.map((p: { id: string }) => p.id), ['5', '7', '6', '8']);
  const waited = await session.cli(['plan', 'wait', started.json.id, '--timeout', '120s', '--json'], 130_000);
  assert.equal(waited.code, 0, JSON.stringify(waited.json, null, 1));
  assert.equal(waited.json.state, 'completed');

  const log = session.git('log', '--format=%s', '-n', '4').trim().split('\n').reverse();
  assert.deepEqual(log, ['Phase 5: Step 5', 'Phase 7: Step 7', 'Phase 6: Step 6', 'Phase 8: Step 8']);
  for (const [i, id] of ['8', '6', '7', '5'].entries()) {
    const files = session.git('show', '--name-only', '--format=', `HEAD~${i}`).trim().split('\n');
    assert.deepEqual(files, [`phase${id}.txt`], `commit HEAD~${i} holds only phase ${id}'s file`);
    const body = session.git('show', '-s', '--format=%B', `HEAD~${i}`);
    assert.match(body, new RegExp(`Baton-Plan-Run: ${started.json.id}\\nBaton-Phase: ${id}`));
  }
  assert.equal(readFileSync(join(session.repo, 'README.md'), 'utf8'), '# scratch repo\nmy local edit\n');
  assert.equal(readFileSync(join(session.repo, 'scratch.txt'), 'utf8'), 'my notes\n');
  const porcelain = session.git('status', '--porcelain');
  assert.match(porcelain, / M README\.md/);
  assert.match(porcelain, /\?\? scratch\.txt/);
  for (const phase of waited.json.phases) {
    assert.equal(phase.verification.passed, true);
    assert.equal(phase.timing.kind, 'new-files');
    // With four phases of one kind done, this machine's own history replaces the 2-3 minute default.
    assert.equal(phase.timing.source, 'history');
    assert.ok(phase.timing.expectedMaxMs < 60_000, JSON.stringify(phase.timing));
  }
  await waitFor(() => existsSync(notified), { what: 'the on-complete notice', timeoutMs: 30_000 });
  const notice = JSON.parse(readFileSync(notified, 'utf8'));
  assert.equal(notice.plan.id, started.json.id);
  assert.equal(notice.plan.state, 'completed');
});

test('a phase that exits early is resumed in the same session, and a failed verification is fed back, then committed', async (t) => {
  const session = await startPlanSession(t, {
    steps: [
      write('a.txt', 'a\n'),
      { text: 'Done with a.' },
      // Baton's follow-up for the missing file:
      write('b.txt', 'broken\n'),
      { text: 'Done with b.' },
      // Baton's "Fix these errors" after the verification failed:
      write('b.txt', 'fixed\n'),
      { text: 'Fixed b.' },
    ],
  });
  const plan = session.writePlan(`project: scratch
dir: ${session.repo}
defaults: { runner: opencode, model: ${session.model} }
phases:
  - id: "1"
    title: Two files
    files: [a.txt, b.txt]
    verify: ["grep -q fixed b.txt"]
    prompt: |
      Create a.txt and b.txt.
`);
  const started = await session.cli(['plan', 'run', plan, '--no-lint', '--json']);
  assert.equal(started.code, 0, started.stderr);
  const waited = await session.cli(['plan', 'wait', started.json.id, '--timeout', '100s', '--json'], 110_000);
  assert.equal(waited.code, 0, JSON.stringify(waited.json, null, 1));
  const [phase] = waited.json.phases;
  assert.equal(phase.state, 'committed');
  assert.equal(phase.resumes, 1);
  assert.equal(phase.fixes, 1);
  assert.deepEqual(phase.runs.map((r: { kind: string }) => r.kind), ['launch', 'resume', 'fix']);
  const files = session.git('show', '--name-only', '--format=', 'HEAD').trim().split('\n');
  assert.deepEqual(files, ['a.txt', 'b.txt']);
  const followUps = session.mock.requests().filter((r) => r.hasTools).map((r) => r.lastUserText ?? '');
  assert.ok(followUps.some((text) => /create b\.txt/.test(text)), 'the follow-up named the missing file');
  assert.ok(followUps.some((text) => text.startsWith('Fix these errors: `grep -q fixed b.txt` exited with 1')), 'the failure was fed back');
  // Every run of the phase continued one agent session.
  const sessions = new Set<string>();
  for (const run of phase.runs) sessions.add((await session.cli(['status', run.id, '--json'])).json.sessionId);
  assert.equal(sessions.size, 1);
});

test('a phase that never finishes is blocked at its bound with nothing committed; once the cause is gone plan resume finishes', async (t) => {
  const session = await startPlanSession(t, {
    steps: [
      { text: 'I did nothing.' },
      { text: 'Still nothing.' },
      // After plan resume, the agent finally does the work:
      write('x.txt', 'x\n'),
      { text: 'Created x.txt.' },
    ],
  });
  const head = session.git('rev-parse', 'HEAD').trim();
  const plan = session.writePlan(`project: scratch
dir: ${session.repo}
defaults: { runner: opencode, model: ${session.model}, maxResumes: 1 }
phases:
  - { id: "1", title: Make x, prompt: Create x.txt, files: [x.txt] }
`);
  const notified = join(session.root, 'blocked.json');
  const started = await session.cli(['plan', 'run', plan, '--no-lint', '--on-blocked', `tee ${notified}`, '--json']);
  const blocked = await session.cli(['plan', 'wait', started.json.id, '--timeout', '100s', '--json'], 110_000);
  assert.equal(blocked.code, 3, JSON.stringify(blocked.json, null, 1));
  assert.equal(blocked.json.state, 'blocked');
  assert.match(blocked.json.reasons[0], /phase 1: still missing x\.txt after 1 resume\(s\)/);
  assert.equal(session.git('rev-parse', 'HEAD').trim(), head, 'nothing was committed');
  await waitFor(() => existsSync(notified), { what: 'the on-complete notice', timeoutMs: 30_000 });
  const notice = JSON.parse(readFileSync(notified, 'utf8'));
  assert.equal(notice.plan.state, 'blocked');
  assert.equal(notice.phase.id, '1');

  const resumed = await session.cli(['plan', 'resume', started.json.id, '--json']);
  assert.equal(resumed.code, 0, resumed.stderr);
  const done = await session.cli(['plan', 'wait', started.json.id, '--timeout', '100s', '--json'], 110_000);
  assert.equal(done.code, 0, JSON.stringify(done.json, null, 1));
  assert.equal(session.git('log', '-1', '--format=%s').trim(), 'Phase 1: Make x');
});
