import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { Baton } from '../../src/baton.js';
import { isProcessAlive } from '../../src/processes/index.js';
import { makeGitRepo, makeTempDir } from '../mock-model/agent-harness.js';
import { runCli } from '../e2e/harness.js';
import { markedProcesses, until } from '../processes/cmd-agent.js';

/** A one-phase plan whose agent waits for `go` (outside the repo), then writes its file. */
async function startPlan(t: TestContext) {
  const repo = await makeGitRepo();
  const root = await makeTempDir('baton-plan-crash-');
  const go = join(root, 'go');
  const agent = join(root, 'agent.sh');
  writeFileSync(agent, `cat >/dev/null\necho started\nwhile [ ! -e ${go} ]; do sleep 0.1; done\nprintf 'made\\n' > phase1.txt\necho DONE\n`);
  const env = { ...process.env, BATON_HOME: join(root, 'home'), NO_COLOR: '1' };
  const plan = join(root, 'plan.yaml');
  // maxResumes 0: a resume spent on Baton's crash would block the plan.
  writeFileSync(
    plan,
    `project: crash\ndir: ${repo}\ndefaults:\n  runner: cmd\n  maxResumes: 0\n  runnerOptions: { command: "sh ${agent}", input: stdin, completion: "^DONE$" }\nphases:\n  - { id: "1", title: "Make 1", prompt: "Create phase1.txt", files: [phase1.txt], verify: ["test -f phase1.txt"] }\n`,
  );
  const started = await runCli(['plan', 'run', plan, '--no-lint', '--json'], env);
  assert.equal(started.code, 0, started.stderr);
  const id = started.json.id as string;
  const baton = new Baton({ home: env.BATON_HOME, env });
  t.after(async () => {
    await runCli(['plan', 'stop', id], env);
    baton.close();
    await Promise.all([rm(repo, { recursive: true, force: true }), rm(root, { recursive: true, force: true })]);
  });
  /** The phase's first agent run once it has logged its first line. */
  const firstRun = async () => {
    let runId: string | undefined;
    await until(() => {
      runId = baton.store.plans.phases(id)[0]?.currentRunId ?? undefined;
      return runId !== undefined && (baton.store.runs.get(runId)?.outputLines ?? 0) >= 1;
    }, 'the phase run to start', 60_000);
    return baton.store.runs.get(runId!)!;
  };
  const finish = async () => {
    const waited = await runCli(['plan', 'wait', id, '--timeout', '90s', '--json'], env, 120_000);
    return waited.json;
  };
  return { id, go, firstRun, finish };
}

test('a phase whose supervisor is SIGKILLed still completes from what the agent did, spending no resume', async (t) => {
  const plan = await startPlan(t);
  const run = await plan.firstRun();
  process.kill(run.supervisorPid!, 'SIGKILL');
  await until(() => !isProcessAlive(run.supervisorPid!), 'the supervisor to die');
  writeFileSync(plan.go, '');
  const final = await plan.finish();
  assert.equal(final.state, 'completed', JSON.stringify(final, null, 1));
  const phase = final.phases[0];
  assert.equal(phase.resumes, 0);
  assert.deepEqual(phase.runs.map((r: { kind: string }) => r.kind), ['launch']);
});

test('a phase whose supervisor and agent are SIGKILLed is relaunched (no session to continue), spending no resume', async (t) => {
  const plan = await startPlan(t);
  const run = await plan.firstRun();
  process.kill(run.supervisorPid!, 'SIGKILL');
  for (const pid of markedProcesses(run.id)) process.kill(pid, 'SIGKILL');
  writeFileSync(plan.go, '');
  const final = await plan.finish();
  assert.equal(final.state, 'completed', JSON.stringify(final, null, 1));
  const phase = final.phases[0];
  assert.equal(phase.resumes, 0);
  assert.deepEqual(phase.runs.map((r: { kind: string; afterCrash?: boolean }) => [r.kind, r.afterCrash ?? false]), [['launch', false], ['relaunch', true]]);
});
