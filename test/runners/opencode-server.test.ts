import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { prepareAgentSandbox } from '../../src/mock-model/index.js';
import { ServerExitedError, spawnOpencodeServer, waitUntilServing, type OpencodeServer } from '../../src/runners/opencode-server.js';
import { BIN_DIR, freePort, makeTempDir, SHARED_XDG_DIR } from '../mock-model/agent-harness.js';
import { warmSharedXdgDir } from '../mock-model/scripted-session.js';

/** A real `opencode serve` in a sandbox of its own, stopped with the test. */
async function startServer(t: TestContext, port: number): Promise<{ server: OpencodeServer; dir: string; logPath: string; env: NodeJS.ProcessEnv }> {
  await warmSharedXdgDir();
  const dir = await makeTempDir('baton-opencode-server-');
  // The model is never asked: these tests only start the server.
  const sandbox = await prepareAgentSandbox({ baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'k', root: join(dir, 'agent'), shared: SHARED_XDG_DIR, ohMyOpencode: false });
  const env = { ...process.env, ...sandbox.env };
  const logPath = join(dir, 'server.log');
  const server = spawnOpencodeServer({ opencode: join(BIN_DIR, 'opencode'), port, directory: dir, logPath, env });
  t.after(async () => {
    server.child.kill('SIGCONT');
    server.child.kill('SIGKILL');
    await server.exited;
    await rm(dir, { recursive: true, force: true });
  });
  return { server, dir, logPath, env };
}

test('a server that cannot run for 6 s (SIGSTOP) is waited for until it answers, past oh-my-opencode\'s 5 s', { timeout: 180_000 }, async (t) => {
  const { server, dir, env } = await startServer(t, await freePort());
  // Stopped from the start, like a server the scheduler does not get to on a saturated machine.
  assert.ok(server.child.kill('SIGSTOP'));
  const stoppedAt = Date.now();
  const resume = setTimeout(() => server.child.kill('SIGCONT'), 6_000);
  t.after(() => clearTimeout(resume));
  await waitUntilServing(server, dir, env);
  assert.ok(Date.now() - stoppedAt >= 6_000, 'answered only after it was resumed');
  const health = await fetch(`${server.url}/global/health`);
  assert.equal(health.status, 200);
  const paths = (await (await fetch(`${server.url}/path?directory=${encodeURIComponent(dir)}`)).json()) as { directory: string };
  assert.equal(paths.directory, dir, 'the server serves the run\'s directory');
});

test('a server that exits before it answers (its port taken) ends the wait with ServerExitedError', { timeout: 120_000 }, async (t) => {
  const port = await freePort();
  // It accepts connections and never answers: the wait must end on the server's exit, not on a request.
  const held: Socket[] = [];
  const squatter: Server = createServer((socket) => held.push(socket));
  await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
  t.after(() => {
    for (const socket of held) socket.destroy();
    squatter.close();
  });
  const { server, dir, env, logPath } = await startServer(t, port);
  await assert.rejects(waitUntilServing(server, dir, env), (error: unknown) => {
    assert.ok(error instanceof ServerExitedError);
    assert.match(error.message, /exited before it answered \(exit code \d+\)/);
    return true;
  });
  assert.notEqual(readFileSync(logPath, 'utf8'), '', 'the server said why, in its own log');
});
