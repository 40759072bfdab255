import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { omoRunner } from '../../src/runners/omo.js';
import { OMO_LAUNCH_SCRIPT } from '../../src/runners/omo-launch.js';

const context = { binary: '/bin/oh-my-opencode', locate: (name: string) => `/opt/${name}`, freePort: async () => 43210, runDir: '/home/baton/runs/r1', env: { PATH: '/usr/bin' } };

test('omo launches through the bash launcher: constant script text, then opencode, port, directory and server log, then oh-my-opencode with the prompt as one argv element', async () => {
  const prompt = '--looks-like-a-flag\n"quoted" $(not a shell)';
  const invocation = await omoRunner.buildLaunch({ prompt, dir: '/repo', agent: 'hephaestus', model: 'baton/scripted-gpt', options: {} }, context);
  assert.equal(invocation.command, 'bash');
  const [flag, script, name, ...rest] = invocation.args;
  assert.equal(flag, '-c');
  assert.equal(script, OMO_LAUNCH_SCRIPT, 'no value of the run is written into the script');
  assert.equal(name, 'omo-launch');
  assert.deepEqual(rest, [
    '/opt/opencode', '43210', '/repo', '/home/baton/runs/r1/server.log', '--',
    '/bin/oh-my-opencode', 'run', '--port', '43210', '--directory', '/repo', '--agent', 'hephaestus', '--model', 'baton/scripted-gpt', '--', prompt,
  ]);
  assert.equal(invocation.cwd, '/repo');
  assert.equal(invocation.stdin, undefined);
  assert.equal(invocation.env?.PATH, '/opt:/usr/bin', "opencode's dir before the PATH of the env Baton was given, not this process's");
});

test('the launcher script is valid bash', () => {
  const check = spawnSync('bash', ['-n', '-c', OMO_LAUNCH_SCRIPT], { encoding: 'utf8' });
  assert.equal(check.status, 0, check.stderr);
});

test('a start failure worth another launch: the server exiting before it answered, or oh-my-opencode\'s own 5 s timeout', () => {
  assert.match(omoRunner.transientStartFailure!(['the opencode server exited before it answered (exit code 1); see /x/server.log'])!, /exited before it answered/);
  assert.match(omoRunner.transientStartFailure!(['Timeout waiting for server to start after 5000ms'])!, /5 s/);
  assert.equal(omoRunner.transientStartFailure!(['upstream exploded']), null);
});
