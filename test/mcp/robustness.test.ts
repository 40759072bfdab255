import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../e2e/harness.js';
import { emptyWorld, startRawMcp } from './harness.js';

const call = (id: number, name: string, args: unknown) => ({ id, method: 'tools/call', params: { name, arguments: args } });
const textOf = (response: any): string => response.result.content.map((c: { text?: string }) => c.text ?? '').join('\n');

test('bad lines get the right JSON-RPC error, unknown arguments are refused by name, and the server keeps serving', async (t) => {
  const { root, env } = await emptyWorld(t);
  const mcp = startRawMcp(t, env, root);
  await mcp.initialize();

  mcp.sendLine('this is not json');
  mcp.sendLine('[{"jsonrpc":"2.0","id":1,"method":"ping"}]');
  mcp.sendLine('{"jsonrpc":"1.0","id":2,"method":"ping"}');
  mcp.send({ method: 'notifications/initialized', params: 'not an object' });
  mcp.send({ id: 3, method: 'tools/call', params: { name: 'status', arguments: 'x' } });
  mcp.send({ id: 4, method: 'tools/call', params: { arguments: {} } });
  mcp.send(call(5, 'status', { idx: 'abc' }));
  mcp.send(call(6, 'status', { id: 'zzzzzzzz' }));
  mcp.send(call(7, 'wait', { ids: ['zzzzzzzz'], timeoutSeconds: '5' }));
  mcp.send(call(8, 'route', { task: 'x'.repeat(1_000_001) }));
  mcp.send({ id: 9, method: 'ping' });

  const byCode = async (code: number, pattern: RegExp) => {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const found = mcp.messages().find((m) => m.error?.code === code && pattern.test(m.error.message));
      if (found) return found;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`no ${code} error matching ${pattern}: ${mcp.stdout().slice(-2000)}`);
  };
  assert.equal((await byCode(-32700, /parse error/)).id, null);
  await byCode(-32600, /batches are not supported/);
  assert.equal((await mcp.response(2)).error.code, -32600);
  const notObject = await mcp.response(3);
  assert.equal(notObject.error.code, -32602);
  assert.match(notObject.error.message, /params\.arguments must be an object/);
  const noName = await mcp.response(4);
  assert.equal(noName.error.code, -32602);
  assert.match(noName.error.message, /params\.name/);

  const unknown = await mcp.response(5);
  assert.equal(unknown.result.isError, true);
  assert.match(textOf(unknown), /unknown argument "idx"; this tool takes ids, id, detail/);
  // The single id models write instead of ids asks about that run, not about every run.
  const alias = await mcp.response(6);
  assert.equal(alias.result.isError, true);
  assert.match(textOf(alias), /no run "zzzzzzzz"/);
  const wrongType = await mcp.response(7);
  assert.equal(wrongType.result.isError, true);
  assert.match(textOf(wrongType), /timeoutSeconds/);
  const tooLong = await mcp.response(8);
  assert.equal(tooLong.result.isError, true);
  assert.match(textOf(tooLong), /task/);
  assert.deepEqual((await mcp.response(9)).result, {});

  // Notifications are never answered, even bad ones: every reply above has an id or is one of the two line errors.
  const unanswered = mcp.messages().filter((m) => m.id === null);
  assert.equal(unanswered.length, 2, JSON.stringify(unanswered));
  for (const line of mcp.stdout().split('\n').filter(Boolean)) assert.equal(JSON.parse(line).jsonrpc, '2.0');
});

test('an over-long request line gets an error naming its id, never a crash; huge route tasks are refused, long ones take linear time', async (t) => {
  const { root, env } = await emptyWorld(t);
  const mcp = startRawMcp(t, env, root);
  await mcp.initialize();

  // 12 MB in one line, sent in pieces like a pipe would: over the SDK's 10 MB buffer, which used to end the server.
  const huge = JSON.stringify({ jsonrpc: '2.0', id: 20, method: 'tools/call', params: { name: 'route', arguments: { task: 'y'.repeat(12 * 1024 * 1024) } } });
  for (let i = 0; i < huge.length; i += 1 << 20) mcp.child.stdin.write(huge.slice(i, i + (1 << 20)));
  mcp.sendLine('');
  const refused = await mcp.response(20);
  assert.equal(refused.error.code, -32600);
  assert.match(refused.error.message, /over the \d+-byte bound/);

  // Each size three times; the fastest of each, so one slow round on a busy machine does not decide.
  const timeRoute = async (bytes: number, base: number) => {
    const unit = 'Debug why the race condition in src/a.ts crashes; refactor the module and add a test. ';
    const task = unit.repeat(Math.ceil(bytes / unit.length)).slice(0, bytes);
    let best = Infinity;
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      mcp.send(call(base + i, 'route', { task }));
      const answer = await mcp.response(base + i);
      best = Math.min(best, performance.now() - started);
      assert.equal(answer.result.isError, undefined, textOf(answer));
    }
    return best;
  };
  const small = await timeRoute(12 * 1024, 100);
  const large = await timeRoute(96 * 1024, 200);
  assert.ok(large / small <= 10, `route took ${small.toFixed(1)} ms at 12 KB and ${large.toFixed(1)} ms at 96 KB (${(large / small).toFixed(1)}x for 8x the input)`);

  mcp.send({ id: 300, method: 'ping' });
  assert.deepEqual((await mcp.response(300)).result, {});
});

test('the server exits when stdin closes while a wait is running; the run goes on', async (t) => {
  const { root, env } = await emptyWorld(t);
  const mcp = startRawMcp(t, env, root);
  await mcp.initialize();
  mcp.send(call(1, 'run', { runner: 'cmd', dir: root, prompt: 'x', runnerOptions: { command: 'sleep 60', input: 'stdin' } }));
  const launched = await mcp.response(1);
  assert.equal(launched.result.isError, undefined, textOf(launched));
  const id: string = launched.result.structuredContent.id;
  t.after(async () => void (await runCli(['kill', id, '--grace', '1s'], env, 30_000)));
  mcp.send(call(2, 'wait', { ids: [id], timeoutSeconds: 50 }));
  // The wait is under way once the server has read the run's status for it.
  await new Promise((r) => setTimeout(r, 500));
  const closedAt = Date.now();
  mcp.child.stdin.end();
  const code = await Promise.race([mcp.exited, new Promise<string>((r) => setTimeout(() => r('still running'), 20_000))]);
  assert.equal(code, 0, `the server exits when stdin closes; stderr: ${mcp.stderr()}`);
  assert.ok(Date.now() - closedAt < 20_000);
  const status = await runCli(['status', id, '--json'], env, 30_000);
  assert.equal(status.json.state, 'running', 'the run outlives the server');
});
