import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { phaseSteps, startPlanSession, write, type PlanSession } from './harness.js';

/** A → (B, C), where B and C both rewrite the one line of shared.txt that A made. */
function conflictPlan(session: PlanSession, maxFixes: number): string {
  const phase = (id: string, needs: string[], extra: string) =>
    `  - { id: ${id}, title: "Step ${id}", prompt: "Edit shared.txt", files: [shared.txt], needs: [${needs.join(', ')}]${extra} }`;
  return session.writePlan(`project: scratch
dir: ${session.repo}
maxParallel: 2
defaults: { runner: opencode, model: ${session.model}, maxFixes: ${maxFixes} }
phases:
${phase('A', [], '')}
${phase('B', ['A'], ', verify: ["grep -q \'from B\' shared.txt"]')}
${phase('C', ['A'], ', verify: ["grep -q \'from C\' shared.txt"]')}
`);
}

const sharedSteps = [
  ...phaseSteps('A', write('shared.txt', 'start\n'), { text: 'A done.' }),
  ...phaseSteps('B', write('shared.txt', 'from B\n'), { text: 'B done.' }),
  ...phaseSteps('C', write('shared.txt', 'from C\n'), { text: 'C done.' }),
];

/** The follow-ups C's agent got after its first run (in its own session, in its own worktree). */
function followUpsOfC(session: PlanSession): string[] {
  const ofC = session.mock.requests().filter((r) => r.hasTools && r.workdir !== null && basename(r.workdir) === 'C');
  return [...new Set(ofC.map((r) => r.lastUserText ?? ''))].filter((text) => text !== 'Edit shared.txt');
}

test('B and C edit the same line: C, second to merge, is resumed with the conflict, resolves it, and the plan completes with both', async (t) => {
  const session = await startPlanSession(t, {
    steps: [
      ...sharedSteps,
      // C's agent, told of the conflict, keeps both lines.
      ...phaseSteps('C', write('shared.txt', 'from B\nfrom C\n'), { text: 'Resolved.' }),
    ],
  });
  const started = await session.cli(['plan', 'run', conflictPlan(session, 2), '--no-lint', '--json']);
  assert.equal(started.code, 0, started.stderr);
  const waited = await session.cli(['plan', 'wait', started.json.id, '--timeout', '150s', '--json'], 160_000);
  assert.equal(waited.code, 0, JSON.stringify(waited.json, null, 1));

  const followUps = followUpsOfC(session);
  assert.equal(followUps.length, 1, JSON.stringify(followUps));
  assert.match(followUps[0]!, /conflict markers[\s\S]*- shared\.txt/);
  assert.match(followUps[0]!, /\+from B/, 'the prompt shows what B changed there');
  const c = waited.json.phases.find((p: { id: string }) => p.id === 'C');
  assert.deepEqual(c.runs.map((r: { kind: string }) => r.kind), ['launch', 'fix']);

  const log = session.git('log', '--format=%s', '-n', '3').trim().split('\n').reverse();
  assert.deepEqual(log, ['Phase A: Step A', 'Phase B: Step B', 'Phase C: Step C']);
  assert.equal(session.git('show', 'HEAD:shared.txt'), 'from B\nfrom C\n');
  assert.equal(readFileSync(join(session.repo, 'shared.txt'), 'utf8'), 'from B\nfrom C\n');
  assert.equal(session.git('rev-list', '--merges', 'HEAD').trim(), '', 'no merge commit reached the user\'s branch');
  assert.equal(session.git('branch', '--list', 'baton/*').trim(), '');
  assert.equal(session.git('worktree', 'list', '--porcelain').match(/^worktree /gm)?.length, 1);
});

test('with maxFixes 0 the conflicting phase blocks naming the path, nothing of it merged, its worktree and branch kept until plan clean', async (t) => {
  const session = await startPlanSession(t, { steps: sharedSteps });
  const started = await session.cli(['plan', 'run', conflictPlan(session, 0), '--no-lint', '--json']);
  assert.equal(started.code, 0, started.stderr);
  const id = started.json.id;
  const waited = await session.cli(['plan', 'wait', id, '--timeout', '150s', '--json'], 160_000);
  assert.equal(waited.code, 3, JSON.stringify(waited.json, null, 1));
  assert.equal(waited.json.state, 'blocked');
  assert.deepEqual(waited.json.reasons, ['phase C: conflicts with what was merged since it started: shared.txt']);
  assert.deepEqual(followUpsOfC(session), [], 'the agent was not asked to resolve it');

  // B is merged; nothing of C is, and the user's checkout holds B's line without markers.
  const log = session.git('log', '--format=%s', '-n', '2').trim().split('\n').reverse();
  assert.deepEqual(log, ['Phase A: Step A', 'Phase B: Step B']);
  assert.equal(session.git('log', '--all-match', '--grep', `Baton-Plan-Run: ${id}`, '--grep', 'Baton-Phase: C', '--format=%H', 'HEAD').trim(), '');
  assert.equal(readFileSync(join(session.repo, 'shared.txt'), 'utf8'), 'from B\n');
  assert.equal(session.git('status', '--porcelain'), '');

  // C's worktree and branch are kept, its own work committed there, no merge half done in it.
  const c = waited.json.phases.find((p: { id: string }) => p.id === 'C');
  assert.equal(c.state, 'blocked');
  assert.ok(c.worktree && existsSync(c.worktree.path), JSON.stringify(c.worktree));
  assert.equal(readFileSync(join(c.worktree.path, 'shared.txt'), 'utf8'), 'from C\n');
  assert.equal(session.git('branch', '--list', 'baton/*', '--format=%(refname:short)').trim(), c.worktree.branch);
  assert.equal(session.git('show', `${c.worktree.branch}:shared.txt`), 'from C\n');

  const cleaned = await session.cli(['plan', 'clean', id, '--json']);
  assert.equal(cleaned.code, 0, cleaned.stderr);
  assert.deepEqual(cleaned.json.branches, [c.worktree.branch]);
  assert.equal(cleaned.json.removed, true);
  assert.equal(existsSync(c.worktree.path), false);
  assert.equal(session.git('branch', '--list', 'baton/*').trim(), '');
  assert.equal(session.git('worktree', 'list', '--porcelain').match(/^worktree /gm)?.length, 1);
});
