import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { LoggedRequest } from '../../src/mock-model/index.js';
import { agentRequest, post, readStream, startWith, titleRequest } from './chat-client.js';

test('listens on 127.0.0.1 with a /v1 base URL', async (t) => {
  const mock = await startWith({ steps: [] });
  t.after(() => mock.close());
  assert.ok(mock.port > 0);
  assert.equal(mock.url, `http://127.0.0.1:${mock.port}/v1`);
});

test('with an apiKey, requests without the right bearer token get 401', async (t) => {
  const mock = await startWith({ steps: [{ text: 'ok' }] }, { apiKey: 'sekret' });
  t.after(() => mock.close());

  for (const apiKey of [undefined, 'wrong']) {
    const response = await post(mock, agentRequest('go'), { apiKey });
    assert.equal(response.status, 401);
    const body = (await response.json()) as { error: { code: string } };
    assert.equal(body.error.code, 'invalid_api_key');
  }
  assert.equal((await fetch(`${mock.url.replace('/v1', '')}/_baton/requests`)).status, 401);
  // Rejected requests are recorded but consume nothing.
  assert.equal((await readStream(await post(mock, agentRequest('go'), { apiKey: 'sekret' }))).text, 'ok');
  assert.deepEqual(
    mock.requests().map((request) => request.status),
    [401, 401, 401, 200],
  );
});

test('bad bodies get 400 and do not consume a step', async (t) => {
  const mock = await startWith({ steps: [{ text: 'still first' }] });
  t.after(() => mock.close());

  const notJson = await post(mock, null, { raw: '{"model": ' });
  assert.equal(notJson.status, 400);
  assert.match(((await notJson.json()) as { error: { message: string } }).error.message, /not valid JSON/);

  const empty = await post(mock, null, { raw: '' });
  assert.equal(empty.status, 400);

  const wrongShape = await post(mock, { model: 'x', messages: 'hello' });
  assert.equal(wrongShape.status, 400);
  assert.match(((await wrongShape.json()) as { error: { message: string } }).error.message, /messages/);

  assert.equal((await readStream(await post(mock, agentRequest('go')))).text, 'still first');
});

test('unknown paths and methods get 404 JSON', async (t) => {
  const mock = await startWith({ steps: [] });
  t.after(() => mock.close());
  const unknown = await fetch(`${mock.url}/models`);
  assert.equal(unknown.status, 404);
  assert.match(((await unknown.json()) as { error: { message: string } }).error.message, /GET \/v1\/models/);
  const wrongMethod = await fetch(`${mock.url}/chat/completions`);
  assert.equal(wrongMethod.status, 404);
});

test('survives bytes that are not HTTP at all', async (t) => {
  const mock = await startWith({ steps: [{ text: 'alive' }] });
  t.after(() => mock.close());
  await new Promise<void>((resolve) => {
    const socket = connect(mock.port, '127.0.0.1', () => socket.end('\x00\x01 garbage \r\n\r\n'));
    socket.on('close', () => resolve());
    socket.on('error', () => resolve());
    socket.resume();
  });
  assert.equal((await readStream(await post(mock, agentRequest('go')))).text, 'alive');
});

test('records every request in memory, as JSONL, and at /_baton/requests', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'baton-mock-log-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const requestLogPath = join(dir, 'requests.jsonl');
  const mock = await startWith({ steps: [{ tools: [{ name: 'read', args: { filePath: 'a' } }] }] }, {
    apiKey: 'k',
    requestLogPath,
  });
  t.after(() => mock.close());

  const prompt = 'Prompt with "quotes", $(subshell), `ticks`, ünï 日本\nand a second line\n';
  await readStream(await post(mock, titleRequest(prompt), { apiKey: 'k' }));
  await readStream(await post(mock, agentRequest(prompt), { apiKey: 'k' }));

  const logUrl = `${mock.url.replace(/\/v1$/, '')}/_baton/requests`;
  const listed = (await (await fetch(logUrl, { headers: { authorization: 'Bearer k' } })).json()) as LoggedRequest[];
  const inMemory = mock.requests();
  const fromFile = (await readFile(requestLogPath, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as LoggedRequest);

  assert.equal(listed.length, 2);
  assert.deepEqual(listed, inMemory.slice(0, 2));
  // The file and memory both also hold the GET of the list itself.
  assert.deepEqual(fromFile, inMemory);
  assert.equal(inMemory.length, 3);
  assert.deepEqual(
    inMemory.map((request) => [request.method, request.path, request.answeredBy]),
    [
      ['POST', '/v1/chat/completions', 'title'],
      ['POST', '/v1/chat/completions', 'step'],
      ['GET', '/_baton/requests', null],
    ],
  );

  const [title, agent] = inMemory;
  assert.equal(title?.lastUserText, prompt);
  assert.equal(agent?.lastUserText, prompt);
  assert.equal(agent?.hasTools, true);
  assert.deepEqual(agent?.toolNames, ['bash', 'read', 'write']);
  assert.equal(agent?.stepIndex, 0);
  assert.equal(agent?.protocol, 'chat-completions');
  assert.deepEqual((agent?.body as { messages: unknown[] }).messages, agentRequest(prompt).messages);
  assert.ok(!Number.isNaN(Date.parse(agent?.time ?? '')));
  assert.deepEqual(
    inMemory.map((request) => request.seq),
    [1, 2, 3],
  );
});

test('close() is idempotent and ends idle keep-alive connections', async () => {
  const mock = await startWith({ steps: [{ text: 'x' }] });
  await readStream(await post(mock, agentRequest('go')));
  await Promise.all([mock.close(), mock.close()]);
  await assert.rejects(post(mock, agentRequest('go')));
});
