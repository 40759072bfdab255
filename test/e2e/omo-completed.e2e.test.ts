import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { agentPid, phasePrompt, startBatonSession } from './harness.js';

test('omo: run → wait → completed, with session id, files, diff, tail and export', async (t) => {
  const session = await startBatonSession(t, {
    steps: [
      { tools: [{ name: 'write', args: { filePath: '{{workdir}}/src/greeting.ts', content: 'export const hi = 1;\n' } }] },
      { tools: [{ name: 'bash', args: { command: 'test -f src/greeting.ts && echo ok', description: 'verify' } }] },
      { text: 'Phase 1 done: created src/greeting.ts.' },
    ],
  });
  const prompt = phasePrompt(['src/greeting.ts'], 'test -f src/greeting.ts && echo ok');
  const run = await session.cli(['run', '--json', '--agent', 'hephaestus', '--model', session.sandbox.model, '--name', 'phase-1', '--dir', session.repo, prompt]);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(Object.keys(run.json).sort(), ['id', 'log', 'pid', 'state']);
  assert.equal(run.json.state, 'running');
  // The launch returns once a supervisor owns the run; the agent's pid follows in the record.
  assert.ok(run.json.pid === null || Number.isInteger(run.json.pid));
  assert.ok(Number.isInteger(await agentPid(session.cli, run.json.id)));
  assert.equal(statSync(run.json.log).mode & 0o777, 0o600, 'the log is private');

  const waited = await session.cli(['wait', run.json.id, '--json', '--timeout', '50s']);
  assert.equal(waited.code, 0, waited.stdout + waited.stderr);

  const status = (await session.cli(['status', run.json.id, '--json'])).json;
  assert.equal(status.state, 'completed', JSON.stringify(status.reasons));
  assert.deepEqual(status.reasons, []);
  assert.match(status.sessionId, /^ses_/);
  assert.equal(status.runner, 'omo');
  assert.equal(status.name, 'phase-1');
  assert.equal(status.exitCode, 0);
  assert.deepEqual(status.filesChanged, ['src/greeting.ts']);
  assert.match(status.finalMessage, /Phase 1 done/);
  assert.ok(status.outputLines > 5);
  assert.equal(status.toolCounts.write, 1);
  assert.equal(status.toolCounts.command, 1);
  // Every line of a real run was understood: no parser bug, nothing the agent printed broke its format.
  assert.deepEqual(status.parseErrors, { count: 0 });
  assert.deepEqual(status.unparsedLines, { count: 0 });
  assert.ok(existsSync(join(session.repo, 'src/greeting.ts')));
  for (const key of ['id', 'name', 'runner', 'agent', 'model', 'dir', 'state', 'reasons', 'sessionId', 'exitCode', 'startedAt', 'endedAt', 'outputLines', 'outputBytes', 'lastActivityAt', 'filesChanged', 'finalMessage']) {
    assert.ok(key in status, `status --json lacks ${key}`);
  }

  // The lead's everyday looks: by name, the brief, the tail, the diff and the export.
  const byName = await session.cli(['status', 'phase-1']);
  assert.match(byName.stdout, /completed/);
  assert.match(byName.stdout, new RegExp(status.sessionId));
  const tail = await session.cli(['tail', run.json.id, '-n', '5']);
  assert.match(tail.stdout, /All tasks completed\./);
  assert.doesNotMatch(tail.stdout, /\x1b\[/, 'tail strips ANSI by default');
  assert.equal(readFileSync(run.json.log, 'utf8').includes('All tasks completed.'), true);
  const diff = (await session.cli(['diff', run.json.id, '--json'])).json;
  assert.deepEqual(diff.changes.filter((c: { path: string }) => !c.path.startsWith('.omo/')), [{ path: 'src/greeting.ts', change: 'added' }]);
  // oh-my-opencode keeps its own continuation state under .omo/; nothing else may show up.
  const exported = await session.cli(['export', run.json.id, '--json']);
  assert.equal(exported.code, 0, exported.stderr);
  assert.equal(exported.json.session.info.id, status.sessionId);
});
