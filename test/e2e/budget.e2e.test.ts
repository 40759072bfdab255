import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { phasePrompt, startBatonSession } from './harness.js';

test('opencode: --max-cost ends the run failed once its reported cost passes the budget, before its later steps', async (t) => {
  const session = await startBatonSession(
    t,
    {
      steps: [
        { tools: [{ name: 'write', args: { filePath: '{{workdir}}/first.md', content: 'one\n' } }] },
        { tools: [{ name: 'bash', args: { command: 'sleep 20', description: 'think' } }] },
        { tools: [{ name: 'write', args: { filePath: '{{workdir}}/second.md', content: 'two\n' } }] },
        { text: 'Done.' },
      ],
    },
    // Priced so that the first step alone costs far more than the budget.
    { ohMyOpencode: false, modelCost: { input: 1_000, output: 1_000 } },
  );
  const prompt = phasePrompt(['first.md', 'second.md']);
  const launched = await session.cli(['run', '--json', '--runner', 'opencode', '--model', session.sandbox.model, '--max-cost', '0.50', '--dir', session.repo, prompt]);
  assert.equal(launched.code, 0, launched.stderr);
  const waited = await session.cli(['wait', launched.json.id, '--timeout', '3m', '--json'], { timeoutMs: 200_000 });
  const [run] = waited.json.runs;
  assert.equal(run.state, 'failed', JSON.stringify(run.reasons));
  assert.equal(waited.code, 1);
  assert.match(run.reasons[0], /^cost \$\d+\.\d+ passed the budget of \$0\.5000 \(--max-cost\)$/);
  assert.ok(run.cost > 0.5, `the reported cost ${run.cost} is over the budget`);
  assert.ok(existsSync(join(session.repo, 'first.md')), 'the work before the budget ran out is kept');
  assert.ok(!existsSync(join(session.repo, 'second.md')), 'the agent was stopped before its later steps');

  const bad = await session.cli(['run', '--json', '--runner', 'opencode', '--max-cost', 'lots', '--dir', session.repo, prompt]);
  assert.equal(bad.code, 2);
  assert.match(bad.stdout + bad.stderr, /max-cost/);
});
