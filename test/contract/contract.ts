import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isVerificationRun } from '../../src/detect/prompt-spec.js';
import { getRunner } from '../../src/runners/registry.js';
import { agentPid, livePidsInGroup, phasePrompt } from '../e2e/harness.js';
import { startContractSession, type ContractSession, type RunnerHarness } from './harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const TRICKY =
  'Keep "double" and \'single\' quotes, $(echo not-run), `backticks`, $HOME, \\backslash,\n' +
  'ünïcödé, 日本語, emoji 🎉 — and a second line.\n--looks-like-a-flag\n';

interface CommandRecord {
  command: string;
  status: string;
  exitCode?: number;
}

/**
 * That the verification ran and passed. A runner that shows its commands must report it with exit 0;
 * one that cannot (cmd) is held to what the scripted model saw: the step after the command was asked
 * for, which the agent does only once it has the command's result.
 */
function assertVerificationPassed(harness: RunnerHarness, session: ContractSession, commands: CommandRecord[], verification: string, nextStep: number): void {
  if (getRunner(harness.runner).observesCommands === false) {
    assert.ok(
      session.mock.requests().some((r) => r.stepIndex === nextStep),
      `the agent never came back from the verification (no request for step ${nextStep})`,
    );
    return;
  }
  const runs = commands.filter((c) => isVerificationRun(c.command, verification));
  assert.ok(runs.length > 0, `the verification never ran: ${JSON.stringify(commands)}`);
  assert.equal(runs.at(-1)!.status, 'completed', JSON.stringify(runs.at(-1)));
  assert.equal(runs.at(-1)!.exitCode, 0, JSON.stringify(runs.at(-1)));
}

/** The behaviour every runner must show, each scenario a real CLI against the scripted model. */
export function runContract(harness: RunnerHarness): void {
  describe(`contract: ${harness.runner}`, () => {
    test('launch → wait → completed, with session, files, verification and tokens', async (t) => {
      const verification = 'grep -q hello src/greeting.txt';
      const session = await startContractSession(t, harness, {
        steps: [harness.writeFile('src/greeting.txt', 'hello\n'), harness.runCommand(verification), { text: 'Done: wrote src/greeting.txt.' }],
      });
      const run = await session.launch([phasePrompt(['src/greeting.txt'], verification)]);
      assert.equal(run.code, 0, run.stderr);
      const waited = await session.cli(['wait', run.json.id, '--timeout', '50s', '--json']);
      const status = waited.json.runs[0];
      assert.equal(waited.code, 0, JSON.stringify(status.reasons));
      assert.equal(status.state, 'completed');
      assert.ok(status.sessionId, 'a session id is known');
      assert.ok(existsSync(join(session.repo, 'src/greeting.txt')));
      assert.ok(status.filesChanged.includes('src/greeting.txt'), `filesChanged: ${JSON.stringify(status.filesChanged)}`);
      assertVerificationPassed(harness, session, status.commands, verification, 2);
      if (harness.reportsTokens) assert.ok(status.tokens.input > 0 && status.tokens.output > 0, 'tokens are reported');
      const diff = (await session.cli(['diff', run.json.id, '--json'])).json;
      assert.ok(diff.changes.some((c: { path: string }) => c.path === 'src/greeting.txt'));
    });

    test('exit 0 with a listed file missing → incomplete → resume without a prompt → completed in the same session', async (t) => {
      const session = await startContractSession(t, harness, {
        steps: [harness.writeFile('src/a.txt', 'a\n'), { text: 'I created src/a.txt.' }, harness.writeFile('src/b.txt', 'b\n'), { text: 'Now src/b.txt exists too.' }],
      });
      const first = await session.launch([phasePrompt(['src/a.txt', 'src/b.txt'])]);
      assert.equal(first.code, 0, first.stderr);
      const waited = await session.cli(['wait', first.json.id, '--timeout', '50s', '--json']);
      assert.equal(waited.code, 3, JSON.stringify(waited.json.runs[0].reasons));
      const incomplete = waited.json.runs[0];
      assert.deepEqual(incomplete.reasons, ['missing file src/b.txt']);
      const resumed = await session.cli(['resume', first.json.id, '--json']);
      assert.equal(resumed.code, 0, resumed.stderr);
      const done = await session.cli(['wait', resumed.json.id, '--timeout', '50s', '--json']);
      const final = done.json.runs[0];
      assert.equal(final.state, 'completed', JSON.stringify(final.reasons));
      assert.equal(final.sessionId, incomplete.sessionId, 'the same agent session continues');
      assert.ok(existsSync(join(session.repo, 'src/b.txt')));
      const followUp = session.mock.requests().find((r) => r.lastUserText?.startsWith('Continue.'));
      assert.ok(followUp, 'the model received the follow-up');
      assert.match(followUp.lastUserText!, /create src\/b\.txt/);
    });

    test('a hanging model → stalled → kill leaves no process behind', async (t) => {
      const session = await startContractSession(t, harness, { steps: [{ hang: true }] });
      const run = await session.launch(['--stall-after', '2s', 'Do something slow']);
      assert.equal(run.code, 0, run.stderr);
      let status: any;
      const deadline = Date.now() + 40_000;
      do {
        await sleep(500);
        status = (await session.cli(['status', run.json.id, '--json'])).json;
      } while (status.state !== 'stalled' && Date.now() < deadline);
      assert.equal(status.state, 'stalled', JSON.stringify(status));
      const pid = await agentPid(session.cli, run.json.id);
      assert.ok(livePidsInGroup(pid).length > 0, 'the agent runs before the kill');
      const killed = await session.cli(['kill', run.json.id, '--json']);
      assert.equal(killed.json.state, 'killed');
      assert.deepEqual(killed.json.survivors, []);
      assert.deepEqual(livePidsInGroup(pid), []);
    });

    test('the model API failing → failed, with the API error in the reasons', async (t) => {
      const session = await startContractSession(t, harness, { steps: [{ ...harness.apiFailure(), times: 1000 }] });
      const run = await session.launch(['--timeout', '55s', 'Anything']);
      assert.equal(run.code, 0, run.stderr);
      const waited = await session.cli(['wait', run.json.id, '--timeout', '58s', '--json']);
      const status = waited.json.runs[0];
      assert.equal(waited.code, 1, JSON.stringify(status));
      assert.equal(status.state, 'failed');
      assert.ok(status.reasons.some((r: string) => /API|500|model/i.test(r)), JSON.stringify(status.reasons));
      assert.ok(!status.reasons.some((r: string) => /timed out/.test(r)), 'it failed by itself, not by Baton\'s timeout');
    });

    test('the prompt reaches the model byte for byte', async (t) => {
      const session = await startContractSession(t, harness, { steps: [{ text: 'Noted.' }] });
      const run = await session.launch([TRICKY]);
      assert.equal(run.code, 0, run.stderr);
      const waited = await session.cli(['wait', run.json.id, '--timeout', '50s', '--json']);
      assert.equal(waited.json.runs[0].state, 'completed', JSON.stringify(waited.json.runs[0].reasons));
      const agentRequests = session.mock.requests().filter((r) => r.hasTools);
      assert.ok(agentRequests.length > 0);
      assert.equal(agentRequests[0]!.lastUserText, TRICKY);
    });

    test(`a 200 KiB prompt ${harness.takesLongPrompts ? 'reaches the model intact' : 'is refused up front (exit 2), nothing recorded'}`, async (t) => {
      const session = await startContractSession(t, harness, { steps: [{ text: 'Noted.' }] });
      // Over Linux's 128 KiB per argument, with a line structure and non-ASCII so truncation or re-encoding would show.
      const line = 'Keep this line exactly: ünïcödé 日本語 — 0123456789 abcdefghijklmnopqrstuvwxyz\n';
      const prompt = `${line.repeat(Math.ceil((200 * 1024) / Buffer.byteLength(line)))}The end.\n`;
      const file = join(session.home, '..', 'big-prompt.txt');
      writeFileSync(file, prompt);
      const run = await session.launch(['--prompt-file', file]);
      if (!harness.takesLongPrompts) {
        assert.equal(run.code, 2, run.stderr);
        assert.match(run.stderr, /command-line argument, limited to/);
        assert.deepEqual((await session.cli(['list', '--json'])).json, []);
        return;
      }
      assert.equal(run.code, 0, run.stderr);
      const waited = await session.cli(['wait', run.json.id, '--timeout', '50s', '--json']);
      assert.equal(waited.json.runs[0].state, 'completed', JSON.stringify(waited.json.runs[0].reasons));
      const agentRequests = session.mock.requests().filter((r) => r.hasTools);
      assert.ok(agentRequests.length > 0);
      assert.equal(agentRequests[0]!.lastUserText, prompt);
    });
  });
}
