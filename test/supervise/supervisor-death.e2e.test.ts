import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Plans } from '../../src/plans/service.js';
import { isProcessAlive } from '../../src/processes/index.js';
import { createUiApp } from '../../src/ui/app.js';
import { markedProcesses, startCmdAgentSession, until } from '../processes/cmd-agent.js';

const LINES = 20_000;
const TOKEN = 'test-token-0123456789abcdef';

/** Prints a line, waits for `go`, then a lot of output and its completion signal. */
function agentWaitingFor(go: string): string {
  return `echo started\nwhile [ ! -e ${go} ]; do sleep 0.1; done\ni=0\nwhile [ $i -lt ${LINES} ]; do echo "line $i of the agent's work, long enough to weigh"; i=$((i+1)); done\necho DONE\n`;
}

test('the supervisor SIGKILLed, the agent completes: tail -f returns, wait says completed with the true line count', async (t) => {
  const session = await startCmdAgentSession(t);
  const go = join(session.repo, 'go');
  const id = await session.launch(agentWaitingFor(go));
  await until(() => session.baton.store.runs.get(id)!.outputLines >= 1, 'the first line recorded');
  const supervisorPid = session.baton.store.runs.get(id)!.supervisorPid!;
  process.kill(supervisorPid, 'SIGKILL');
  await until(() => !isProcessAlive(supervisorPid), 'the supervisor to die');
  writeFileSync(go, '');
  let streamed = '';
  const followed = await session.baton.follow(id, 0, (text) => (streamed += text), { signal: AbortSignal.timeout(60_000) });
  assert.equal(followed.state, 'completed', followed.reasons.join('; '));
  assert.match(streamed, /DONE/);
  const { runs } = await session.baton.wait([id], { timeoutMs: 10_000 });
  assert.equal(runs[0]!.state, 'completed');
  const record = session.baton.store.runs.get(id)!;
  assert.equal(record.outputLines, LINES + 2, 'every line counted, also those logged after the supervisor died');
  assert.ok(record.outputBytes > LINES * 40, `outputBytes ${record.outputBytes}`);
  assert.ok(record.reasons.some((r) => r.includes("Baton's supervisor died")), 'the reason says how it was judged');
});

test('the supervisor and the agent SIGKILLed: tail -f returns; the outcome is unknown and not the agent\'s failure', async (t) => {
  const session = await startCmdAgentSession(t);
  const id = await session.launch(agentWaitingFor(join(session.repo, 'never')));
  await until(() => session.baton.store.runs.get(id)!.outputLines >= 1, 'the first line recorded');
  const record = session.baton.store.runs.get(id)!;
  process.kill(record.supervisorPid!, 'SIGKILL');
  for (const pid of markedProcesses(id)) process.kill(pid, 'SIGKILL');
  const followed = await session.baton.follow(id, 0, () => undefined, { signal: AbortSignal.timeout(60_000) });
  assert.equal(followed.state, 'incomplete');
  assert.match(followed.reasons.join(' '), /supervisor died .*outcome is unknown/);
  assert.equal(session.baton.store.runs.get(id)!.outputLines, 1);
});

test("the dashboard's run stream ends for a run whose supervisor and agent were SIGKILLed", async (t) => {
  const session = await startCmdAgentSession(t);
  const id = await session.launch(agentWaitingFor(join(session.repo, 'never')));
  await until(() => session.baton.store.runs.get(id)!.outputLines >= 1, 'the first line recorded');
  process.kill(session.baton.store.runs.get(id)!.supervisorPid!, 'SIGKILL');
  for (const pid of markedProcesses(id)) process.kill(pid, 'SIGKILL');
  const { app } = createUiApp({ baton: session.baton, plans: new Plans(session.baton), token: TOKEN, pollMs: 20 });
  const response = await app.request(`/api/runs/${id}/stream?offset=0`, { headers: { authorization: `Bearer ${TOKEN}` }, signal: AbortSignal.timeout(60_000) });
  const body = await response.text();
  assert.match(body, /event: end\ndata: \{"state":"incomplete"\}/);
});
