import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startPlanSession, write } from './harness.js';

test('a phase whose runs pass its maxCost blocks with the budget as the reason, nothing committed; plan status shows the cost per phase and in total', async (t) => {
  // Priced so that one model call costs far more than the phase may spend.
  const session = await startPlanSession(
    t,
    { steps: [write('a.txt', 'a\n'), { tools: [{ name: 'bash', args: { command: 'sleep 20', description: 'think' } }] }, write('b.txt', 'b\n'), { text: 'Done.' }] },
    { modelCost: { input: 1_000, output: 1_000 } },
  );
  const plan = session.writePlan(
    `project: scratch\ndir: ${session.repo}\nmaxCost: 100\ndefaults: { runner: opencode, model: ${session.model} }\nphases:\n` +
      `  - { id: p1, title: "Two files", prompt: "Create a.txt and b.txt", files: [a.txt, b.txt], maxCost: 0.5 }\n`,
  );
  const head = session.git('rev-parse', 'HEAD').trim();
  const started = await session.cli(['plan', 'run', plan, '--no-lint', '--json']);
  assert.equal(started.code, 0, started.stderr);
  const waited = await session.cli(['plan', 'wait', started.json.id, '--timeout', '180s', '--json'], 200_000);
  assert.equal(waited.code, 3, JSON.stringify(waited.json, null, 1));
  assert.equal(waited.json.state, 'blocked');
  const [phase] = waited.json.phases;
  assert.equal(phase.state, 'blocked');
  assert.match(phase.reasons.join('\n'), /the phase's budget of \$0\.5000 is spent \(\$\d+\.\d+ reported so far; maxCost\)/);
  assert.equal(phase.maxCost, 0.5);
  assert.ok(phase.cost > 0.5, `the phase's cost ${phase.cost} is its runs' reported cost`);
  assert.equal(waited.json.maxCost, 100);
  assert.equal(waited.json.cost, phase.cost);
  // The run that passed the budget ended failed with it, and the driver spent nothing more on it.
  const runs = (await session.cli(['list', '--json'])).json as { state: string; reasons: string[] }[];
  assert.equal(runs.length, 1, 'no run was started once the budget was spent');
  assert.equal(runs[0]!.state, 'failed');
  assert.match(runs[0]!.reasons[0]!, /passed the budget of \$0\.5000 \(--max-cost\)/);
  assert.equal(session.git('rev-parse', 'HEAD').trim(), head, 'nothing of the phase is committed');
  const text = await session.cli(['plan', 'status', started.json.id]);
  assert.match(text.stdout, /p1\s+blocked .*\$\d+\.\d+ of \$0\.5000/);
});
