import assert from 'node:assert/strict';
import { test } from 'node:test';
import { agentRequest, post, readStream, startWith, titleRequest, WORKDIR } from './chat-client.js';

test('replays steps in order, repeats `times`, then answers onExhausted', async (t) => {
  const mock = await startWith({
    steps: [{ text: 'first' }, { text: 'again', times: 2 }, { text: 'last' }],
    onExhausted: { text: 'nothing left' },
  });
  t.after(() => mock.close());

  const texts: string[] = [];
  for (let i = 0; i < 6; i += 1) texts.push((await readStream(await post(mock, agentRequest(`turn ${i}`)))).text);
  assert.deepEqual(texts, ['first', 'again', 'again', 'last', 'nothing left', 'nothing left']);
  assert.deepEqual(
    mock.requests().map((request) => [request.answeredBy, request.stepIndex]),
    [
      ['step', 0],
      ['step', 1],
      ['step', 1],
      ['step', 2],
      ['exhausted', null],
      ['exhausted', null],
    ],
  );
});

test('title requests get the title and never consume a step', async (t) => {
  const mock = await startWith({ title: 'Add greeting module', steps: [{ text: 'one' }, { text: 'two' }] });
  t.after(() => mock.close());

  assert.equal((await readStream(await post(mock, titleRequest('hello')))).text, 'Add greeting module');
  assert.equal((await readStream(await post(mock, agentRequest('hello')))).text, 'one');
  // An empty tools array is still a title request.
  assert.equal((await readStream(await post(mock, { ...titleRequest('x'), tools: [] }))).text, 'Add greeting module');
  assert.equal((await readStream(await post(mock, agentRequest('hello')))).text, 'two');
  const [title, agent] = mock.requests();
  assert.equal(title?.answeredBy, 'title');
  assert.equal(title?.hasTools, false);
  assert.equal(title?.lastUserText, 'hello');
  assert.deepEqual(agent?.toolNames, ['bash', 'read', 'write']);
});

test('streams real chat.completion.chunk events: role, content pieces, finish, usage, [DONE]', async (t) => {
  const text = 'A longer answer, streamed in a few pieces — ünïcödé 日本 included.';
  const mock = await startWith({ steps: [{ text }] });
  t.after(() => mock.close());

  const response = await post(mock, agentRequest('go'));
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
  const answer = await readStream(response);
  assert.equal(answer.text, text);
  assert.ok(answer.done);
  assert.ok(answer.chunks.every((chunk) => chunk.object === 'chat.completion.chunk'));
  assert.equal(answer.chunks[0]?.choices[0]?.delta.role, 'assistant');
  const contentChunks = answer.chunks.filter((chunk) => chunk.choices[0]?.delta.content);
  assert.ok(contentChunks.length > 1, 'text arrives in several deltas');
  assert.equal(answer.finishReason, 'stop');
  assert.ok(answer.usage);
  assert.equal(answer.usage.total_tokens, answer.usage.prompt_tokens + answer.usage.completion_tokens);
});

test('usage numbers are deterministic for the same request and answer', async (t) => {
  const script = { steps: [{ text: 'same answer', times: 2 }] };
  const mock = await startWith(script);
  t.after(() => mock.close());
  const first = await readStream(await post(mock, agentRequest('same prompt')));
  const second = await readStream(await post(mock, agentRequest('same prompt')));
  assert.deepEqual(first.usage, second.usage);
});

test('parallel tool calls with {{workdir}} taken from the system prompt', async (t) => {
  const mock = await startWith({
    steps: [
      {
        text: 'Writing two files in {{workdir}}.',
        tools: [
          { name: 'write', args: { filePath: '{{workdir}}/src/a.ts', content: 'export const a = 1;\n' } },
          { name: 'bash', args: { command: 'ls {{workdir}} && ls {{workdir}}/src', nested: [{ p: '{{workdir}}' }] } },
        ],
      },
    ],
  });
  t.after(() => mock.close());

  const answer = await readStream(await post(mock, agentRequest('write files')));
  assert.equal(answer.finishReason, 'tool_calls');
  assert.equal(answer.text, `Writing two files in ${WORKDIR}.`);
  assert.equal(answer.toolCalls.length, 2);
  assert.deepEqual(
    answer.toolCalls.map((call) => call.name),
    ['write', 'bash'],
  );
  assert.ok(answer.toolCalls.every((call) => call.id !== ''));
  assert.notEqual(answer.toolCalls[0]?.id, answer.toolCalls[1]?.id);
  assert.deepEqual(JSON.parse(answer.toolCalls[0]?.arguments ?? ''), {
    filePath: `${WORKDIR}/src/a.ts`,
    content: 'export const a = 1;\n',
  });
  assert.deepEqual(JSON.parse(answer.toolCalls[1]?.arguments ?? ''), {
    command: `ls ${WORKDIR} && ls ${WORKDIR}/src`,
    nested: [{ p: WORKDIR }],
  });
  // Arguments arrive in more than one delta, as from a real model.
  const argumentDeltas = answer.chunks.filter((chunk) => chunk.choices[0]?.delta.tool_calls?.[0]?.function.arguments);
  assert.ok(argumentDeltas.length >= 3);
  assert.equal(mock.requests()[0]?.workdir, WORKDIR);
});

test('{{workdir}} stays unchanged when the request names no working directory', async (t) => {
  const mock = await startWith({ steps: [{ tools: [{ name: 'read', args: { filePath: '{{workdir}}/a' } }] }] });
  t.after(() => mock.close());
  const request = agentRequest('read');
  request.messages[0] = { role: 'system', content: 'No environment block here.' };
  const answer = await readStream(await post(mock, request));
  assert.deepEqual(JSON.parse(answer.toolCalls[0]?.arguments ?? ''), { filePath: '{{workdir}}/a' });
  assert.equal(mock.requests()[0]?.workdir, null);
});

test('lastUserText concatenates text parts of the last user message', async (t) => {
  const mock = await startWith({ steps: [] });
  t.after(() => mock.close());
  const request = agentRequest('ignored', {
    messages: [
      { role: 'user', content: 'earlier' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'part one, ' },
          { type: 'image_url', image_url: { url: 'data:,' } },
          { type: 'text', text: 'part two' },
        ],
      },
      { role: 'assistant', content: 'reply' },
    ],
  });
  await readStream(await post(mock, request));
  assert.equal(mock.requests()[0]?.lastUserText, 'part one, part two');
});

test('answers stream:false requests with one chat.completion object', async (t) => {
  const mock = await startWith({ steps: [{ tools: [{ name: 'read', args: { filePath: '{{workdir}}/x' } }] }] });
  t.after(() => mock.close());
  const response = await post(mock, agentRequest('read', { stream: false }));
  const completion = (await response.json()) as {
    object: string;
    choices: { message: { tool_calls: { function: { arguments: string } }[] }; finish_reason: string }[];
  };
  assert.equal(completion.object, 'chat.completion');
  assert.equal(completion.choices[0]?.finish_reason, 'tool_calls');
  assert.equal(completion.choices[0]?.message.tool_calls[0]?.function.arguments, JSON.stringify({ filePath: `${WORKDIR}/x` }));
});
