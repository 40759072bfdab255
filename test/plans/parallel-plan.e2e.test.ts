import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { processFacts } from '../../src/processes/index.js';
import { isActive } from '../../src/store/runs.js';
import { waitFor } from '../wait-for.js';
import { phaseSteps, startPlanSession, write } from './harness.js';

test('a diamond A → (B, C) → D at maxParallel 2: B and C run side by side in worktrees, four commits in order, nothing left behind', async (t) => {
  const session = await startPlanSession(t, {
    steps: [
      ...phaseSteps('A', write('a.txt', 'a\n'), { text: 'A done.' }),
      // The delay keeps each of B and C busy long enough for the other to start asking too.
      ...phaseSteps('B', { ...write('b.txt', 'b\n'), delayMs: 4_000 }, { text: 'B done.' }),
      ...phaseSteps('C', { ...write('c.txt', 'c\n'), delayMs: 4_000 }, { text: 'C done.' }),
      ...phaseSteps('D', write('d.txt', 'd\n'), { text: 'D done.' }),
    ],
  });
  // The user's own uncommitted work, elsewhere than any phase's files.
  writeFileSync(join(session.repo, 'README.md'), '# scratch repo\nmy local edit\n');
  writeFileSync(join(session.repo, 'scratch.txt'), 'my notes\n');
  const phase = (id: string, needs: string[], verify: string) =>
    `  - { id: ${id}, title: "Step ${id}", prompt: "Create ${id.toLowerCase()}.txt", files: [${id.toLowerCase()}.txt], needs: [${needs.join(', ')}], verify: ["${verify}"] }`;
  const plan = session.writePlan(`project: scratch
dir: ${session.repo}
maxParallel: 2
defaults: { runner: opencode, model: ${session.model} }
phases:
${phase('A', [], 'test -f a.txt')}
${phase('B', ['A'], 'test -f a.txt && test -f b.txt')}
${phase('C', ['A'], 'test -f a.txt && test -f c.txt')}
${phase('D', ['B', 'C'], 'test -f b.txt && test -f c.txt && test -f d.txt')}
`);
  const started = await session.cli(['plan', 'run', plan, '--no-lint', '--json']);
  assert.equal(started.code, 0, started.stderr);
  const waited = await session.cli(['plan', 'wait', started.json.id, '--timeout', '150s', '--json'], 160_000);
  assert.equal(waited.code, 0, JSON.stringify(waited.json, null, 1));
  assert.equal(waited.json.state, 'completed');

  // B and C overlapped: each asked the model before the other's last question.
  const asked = (id: string) => session.mock.requests().filter((r) => r.hasTools && r.workdir !== null && basename(r.workdir) === id).map((r) => r.seq);
  const [b, c] = [asked('B'), asked('C')];
  assert.ok(b.length >= 2 && c.length >= 2, `B asked ${b.length} times, C ${c.length} times`);
  assert.ok(b[0]! < c.at(-1)! && c[0]! < b.at(-1)!, `B's requests ${b} and C's ${c} interleave`);
  // Each agent worked in its own worktree, outside the user's checkout.
  for (const id of ['A', 'B', 'C', 'D']) {
    const dirs = new Set(session.mock.requests().filter((r) => r.hasTools && r.workdir !== null && basename(r.workdir) === id).map((r) => r.workdir));
    assert.equal(dirs.size, 1);
    assert.ok(![...dirs][0]!.startsWith(session.repo), `phase ${id} ran outside the checkout`);
  }

  const log = session.git('log', '--format=%s', '-n', '4').trim().split('\n').reverse();
  assert.deepEqual(log, ['Phase A: Step A', 'Phase B: Step B', 'Phase C: Step C', 'Phase D: Step D']);
  assert.equal(session.git('log', '--format=%s', '-n', '1', 'HEAD~4').trim(), 'initial', 'one commit per phase, no work or merge commits');
  for (const [i, id] of ['D', 'C', 'B', 'A'].entries()) {
    const files = session.git('show', '--name-only', '--format=', `HEAD~${i}`).trim().split('\n');
    assert.deepEqual(files, [`${id.toLowerCase()}.txt`], `commit HEAD~${i} holds only phase ${id}'s file`);
    assert.equal(session.git('rev-list', '--parents', '-n', '1', `HEAD~${i}`).trim().split(' ').length, 2, 'not a merge commit');
    const body = session.git('show', '-s', '--format=%B', `HEAD~${i}`);
    assert.match(body, new RegExp(`Baton-Plan-Run: ${started.json.id}\\nBaton-Phase: ${id}`));
  }
  for (const p of waited.json.phases) {
    assert.equal(p.state, 'committed');
    assert.equal(p.worktree, null);
  }
  // The user's checkout has every phase's file and still their own edits.
  for (const id of ['a', 'b', 'c', 'd']) assert.equal(readFileSync(join(session.repo, `${id}.txt`), 'utf8'), `${id}\n`);
  assert.equal(readFileSync(join(session.repo, 'README.md'), 'utf8'), '# scratch repo\nmy local edit\n');
  assert.equal(readFileSync(join(session.repo, 'scratch.txt'), 'utf8'), 'my notes\n');
  const porcelain = session.git('status', '--porcelain').split('\n').filter(Boolean).sort();
  assert.deepEqual(porcelain, [' M README.md', '?? scratch.txt'], 'the phase files are committed and in the index; only the user\'s edits are uncommitted');
  // Nothing of the plan is left: no worktree but the user's, no baton/ branch, no worktree folder.
  assert.equal(session.git('worktree', 'list', '--porcelain').match(/^worktree /gm)?.length, 1);
  assert.equal(session.git('branch', '--list', 'baton/*').trim(), '');
  assert.equal(existsSync(join(session.env.BATON_HOME!, 'worktrees', started.json.id)), false);
});

test('the driver SIGKILLed while B and C run: plan resume adopts their runs in their worktrees, each phase is committed once, nothing left behind', async (t) => {
  const session = await startPlanSession(t, {
    steps: [
      ...phaseSteps('A', write('a.txt', 'a\n'), { text: 'A done.' }),
      // Slow enough answers that both are still running when the driver dies.
      ...phaseSteps('B', { ...write('b.txt', 'b\n'), delayMs: 6_000 }, { text: 'B done.' }),
      ...phaseSteps('C', { ...write('c.txt', 'c\n'), delayMs: 6_000 }, { text: 'C done.' }),
    ],
  });
  const plan = session.writePlan(`project: scratch
dir: ${session.repo}
maxParallel: 2
defaults: { runner: opencode, model: ${session.model} }
phases:
  - { id: A, title: "Step A", prompt: "Create a.txt", files: [a.txt] }
  - { id: B, title: "Step B", prompt: "Create b.txt", files: [b.txt], needs: [A] }
  - { id: C, title: "Step C", prompt: "Create c.txt", files: [c.txt], needs: [A] }
`);
  const started = await session.cli(['plan', 'run', plan, '--no-lint', '--json']);
  assert.equal(started.code, 0, started.stderr);
  const id = started.json.id as string;
  const asking = (phase: string) => session.mock.requests().some((r) => r.hasTools && r.workdir !== null && basename(r.workdir) === phase);
  await waitFor(() => asking('B') && asking('C'), { what: 'B and C both asking the model', timeoutMs: 90_000 });
  const facts = processFacts();
  const driver = facts.table().find((p) => !p.zombie && (facts.commandLine(p.pid) ?? '').includes('driver-main.js') && (facts.commandLine(p.pid) ?? '').includes(id));
  assert.ok(driver, 'the plan driver is alive');
  process.kill(driver.pid, 'SIGKILL');
  await waitFor(async () => (await session.cli(['plan', 'status', id, '--json'])).json.state === 'failed', { what: 'the plan to notice its driver is gone', timeoutMs: 30_000 });

  const resumed = await session.cli(['plan', 'resume', id, '--json']);
  assert.equal(resumed.code, 0, resumed.stderr);
  const waited = await session.cli(['plan', 'wait', id, '--timeout', '120s', '--json'], 130_000);
  assert.equal(waited.code, 0, JSON.stringify(waited.json, null, 1));
  for (const phase of waited.json.phases) assert.equal(phase.runs.length, 1, `phase ${phase.id} kept its one run: ${JSON.stringify(phase.runs)}`);
  const subjects = session.git('log', '--format=%s').trim().split('\n').reverse();
  assert.deepEqual(subjects, ['initial', 'Phase A: Step A', 'Phase B: Step B', 'Phase C: Step C']);
  assert.equal(session.git('branch', '--list', 'baton/*').trim(), '');
  assert.equal(session.git('worktree', 'list', '--porcelain').match(/^worktree /gm)?.length, 1);
});

test('plan stop while B and C run stops both runs and keeps their worktrees; plan resume continues in them', async (t) => {
  const session = await startPlanSession(t, {
    steps: [
      ...phaseSteps('A', write('a.txt', 'a\n'), { text: 'A done.' }),
      // The first answers come too late: the plan is stopped while both wait for them.
      ...phaseSteps('B', { ...write('b.txt', 'late\n'), delayMs: 60_000 }, write('b.txt', 'b\n'), { text: 'B done.' }),
      ...phaseSteps('C', { ...write('c.txt', 'late\n'), delayMs: 60_000 }, write('c.txt', 'c\n'), { text: 'C done.' }),
    ],
  });
  const plan = session.writePlan(`project: scratch
dir: ${session.repo}
maxParallel: 2
defaults: { runner: opencode, model: ${session.model} }
phases:
  - { id: A, title: "Step A", prompt: "Create a.txt", files: [a.txt] }
  - { id: B, title: "Step B", prompt: "Create b.txt", files: [b.txt], needs: [A] }
  - { id: C, title: "Step C", prompt: "Create c.txt", files: [c.txt], needs: [A] }
`);
  const started = await session.cli(['plan', 'run', plan, '--no-lint', '--json']);
  assert.equal(started.code, 0, started.stderr);
  const id = started.json.id as string;
  const asking = (phase: string) => session.mock.requests().some((r) => r.hasTools && r.workdir !== null && basename(r.workdir) === phase);
  await waitFor(() => asking('B') && asking('C'), { what: 'B and C both asking the model', timeoutMs: 90_000 });

  const stopped = await session.cli(['plan', 'stop', id, '--json'], 60_000);
  assert.equal(stopped.code, 0, stopped.stderr);
  assert.equal(stopped.json.state, 'stopped', JSON.stringify(stopped.json, null, 1));
  for (const phase of stopped.json.phases.filter((p: { id: string }) => p.id !== 'A')) {
    assert.equal(phase.state, 'pending');
    const run = (await session.cli(['status', phase.runs[0].id, '--json'])).json;
    // Killed, or failed when the agent answered the stop signal with an error exit of its own first.
    assert.ok(!isActive(run.state), `phase ${phase.id}'s run was stopped: ${run.state}`);
    assert.ok(phase.worktree && existsSync(phase.worktree.path), `phase ${phase.id} keeps its worktree`);
  }
  assert.deepEqual(session.git('branch', '--list', 'baton/*', '--format=%(refname:short)').trim().split('\n').sort(), [`baton/${id}/B`, `baton/${id}/C`]);

  const resumed = await session.cli(['plan', 'resume', id, '--json']);
  assert.equal(resumed.code, 0, resumed.stderr);
  const waited = await session.cli(['plan', 'wait', id, '--timeout', '120s', '--json'], 130_000);
  assert.equal(waited.code, 0, JSON.stringify(waited.json, null, 1));
  const subjects = session.git('log', '--format=%s').trim().split('\n').reverse();
  assert.deepEqual(subjects, ['initial', 'Phase A: Step A', 'Phase B: Step B', 'Phase C: Step C']);
  assert.equal(session.git('show', 'HEAD~1:b.txt'), 'b\n');
  assert.equal(session.git('show', 'HEAD:c.txt'), 'c\n');
  // The resumed phases continued in the worktrees they had.
  for (const phase of ['B', 'C']) {
    const dirs = new Set(session.mock.requests().filter((r) => r.hasTools && r.workdir !== null && basename(r.workdir) === phase).map((r) => r.workdir));
    assert.equal(dirs.size, 1, `phase ${phase} asked from ${[...dirs].join(', ')}`);
  }
  assert.equal(session.git('branch', '--list', 'baton/*').trim(), '');
  assert.equal(session.git('worktree', 'list', '--porcelain').match(/^worktree /gm)?.length, 1);
});

test('a setup that fails blocks its phase with its own reason before any agent starts; .worktreeinclude files reach the worktree first', async (t) => {
  const session = await startPlanSession(t, { steps: [] });
  // A git-ignored file the worktree needs, named in .worktreeinclude; setup checks it arrived, then fails.
  writeFileSync(join(session.repo, '.gitignore'), '.env\n');
  writeFileSync(join(session.repo, '.env'), 'TOKEN=1\n');
  writeFileSync(join(session.repo, '.worktreeinclude'), '.env\n');
  session.git('add', '.gitignore', '.worktreeinclude');
  session.git('-c', 'user.name=t', '-c', 'user.email=t@t.invalid', 'commit', '-q', '-m', 'ignore .env');
  const plan = session.writePlan(`project: scratch
dir: ${session.repo}
maxParallel: 2
defaults: { runner: opencode, model: ${session.model} }
setup: "grep -q TOKEN=1 .env && echo prepared > setup.log && echo 'no network' >&2 && exit 7"
phases:
  - { id: A, title: "Step A", prompt: "Create a.txt", files: [a.txt] }
  - { id: B, title: "Step B", prompt: "Create b.txt", files: [b.txt], needs: [A] }
`);
  const started = await session.cli(['plan', 'run', plan, '--no-lint', '--json']);
  assert.equal(started.code, 0, started.stderr);
  const waited = await session.cli(['plan', 'wait', started.json.id, '--timeout', '60s', '--json'], 70_000);
  assert.equal(waited.code, 3, JSON.stringify(waited.json, null, 1));
  const [a, b] = waited.json.phases;
  assert.equal(a.state, 'blocked');
  assert.match(a.reasons[0], /^setup `grep -q TOKEN=1 \.env && .*` failed \(exit 7\): no network/);
  assert.equal(a.runs.length, 0, 'no agent was started');
  assert.equal(b.state, 'pending');
  assert.equal(readFileSync(join(a.worktree.path, 'setup.log'), 'utf8'), 'prepared\n');
  assert.equal(session.mock.requests().length, 0);
});

test('a parallel plan is refused on a detached HEAD, even with --allow-detached: it has no branch to merge into', async (t) => {
  const session = await startPlanSession(t, { steps: [] });
  session.git('checkout', '-q', '--detach');
  const plan = session.writePlan(`project: scratch
dir: ${session.repo}
maxParallel: 2
defaults: { runner: opencode, model: ${session.model} }
phases:
  - { id: A, title: "Step A", prompt: "Create a.txt" }
  - { id: B, title: "Step B", prompt: "Create b.txt", needs: [A] }
`);
  const refused = await session.cli(['plan', 'run', plan, '--no-lint', '--allow-detached', '--json']);
  assert.equal(refused.code, 1, refused.stderr);
  assert.match(refused.stderr, /detached HEAD; a parallel plan merges each phase into a branch/);
  // The same plan run serially (maxParallel 1) is not a parallel plan: --allow-detached applies.
  const serial = await session.cli(['plan', 'run', plan, '--no-lint', '--allow-detached', '--max-parallel', '1', '--dry-run', '--json']);
  assert.equal(serial.code, 0, serial.stderr);
});
