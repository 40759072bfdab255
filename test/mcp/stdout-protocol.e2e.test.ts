import { test } from 'node:test';
import assert from 'node:assert/strict';
import { phasePrompt, prepareAgentWorld, startRawMcp } from './harness.js';

/**
 * The raw bytes of the server's stdout, read by hand rather than through the SDK's transport (which
 * would skip a bad line): every line must be a JSON-RPC 2.0 message, during a noisy agent run, a
 * malformed request and invalid input; and closing stdin ends the server cleanly.
 */
test('stdout carries only JSON-RPC during a noisy run; closing stdin shuts the server down', async (t) => {
  const noisy = 'for i in $(seq 1 3000); do echo "noisy line $i"; echo "noisy err $i" >&2; done';
  const world = await prepareAgentWorld(t, {
    steps: [
      { tools: [{ name: 'bash', args: { command: noisy, description: 'make noise' } }] },
      { tools: [{ name: 'write', args: { filePath: '{{workdir}}/noise.txt', content: 'quiet now\n' } }] },
      { text: 'Done: made noise and wrote noise.txt.' },
    ],
  });
  const mcp = startRawMcp(t, world.env, world.repo);
  const send = mcp.send;
  const nextResponse = mcp.response;
  send({ id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
  assert.equal((await nextResponse(1)).result.serverInfo.name, 'baton');
  send({ method: 'notifications/initialized' });
  mcp.sendLine('this is not json');
  send({ id: 2, method: 'tools/call', params: { name: 'run', arguments: { runner: 'opencode', model: world.model, dir: world.repo, prompt: phasePrompt(['noise.txt']) } } });
  const runId = (await nextResponse(2)).result.structuredContent.id as string;
  send({ id: 3, method: 'tools/call', params: { name: 'wait', arguments: { ids: [runId], timeoutSeconds: 40 }, _meta: { progressToken: 'p1' } } });
  const waited = (await nextResponse(3)).result;
  assert.equal(waited.structuredContent.done, true, JSON.stringify(waited));
  assert.equal(waited.structuredContent.runs[0].state, 'completed', JSON.stringify(waited.structuredContent.runs[0].reasons));
  send({ id: 4, method: 'tools/call', params: { name: 'tail', arguments: { id: runId, lines: 500 } } });
  assert.equal((await nextResponse(4)).result.isError, true, 'lines above 200 are refused');
  send({ id: 5, method: 'tools/call', params: { name: 'tail', arguments: { id: runId, lines: 200 } } });
  const tail = (await nextResponse(5)).result;
  assert.ok(tail.structuredContent.lines.length <= 200);
  send({ id: 6, method: 'tools/call', params: { name: 'status', arguments: { ids: [runId] } } });
  const status = (await nextResponse(6)).result;
  assert.ok(status.content[0].text.length < 2_000, 'the brief stays small');

  mcp.child.stdin.end();
  const code = await Promise.race([mcp.exited, new Promise<string>((r) => setTimeout(() => r('still running'), 10_000))]);
  assert.equal(code, 0, `the server exits cleanly when stdin closes; stderr: ${mcp.stderr()}`);

  const lines = mcp.stdout().split('\n').filter((line) => line !== '');
  assert.ok(lines.length >= 6);
  for (const line of lines) {
    const message = JSON.parse(line);
    assert.equal(message.jsonrpc, '2.0', line.slice(0, 200));
  }
  assert.ok(mcp.messages().some((m) => m.error?.code === -32700), 'the line that is not JSON got a parse error');
  // The noise reaches stdout only inside the tail result, as JSON-RPC content.
  assert.ok(tail.content[0].text.includes('noisy'), 'the tail saw the noise');
  assert.ok(lines.some((line) => line.includes('"notifications/progress"')), 'the wait sent progress for its token');
});
