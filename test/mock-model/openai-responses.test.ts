import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MockModel } from '../../src/mock-model/index.js';
import { startWith } from './chat-client.js';

/**
 * The OpenAI Responses protocol over real HTTP, with requests shaped like codex 0.169's: developer
 * instructions, the environment as a user message, the prompt, then (on later turns) the calls made
 * and their outputs; function tools, the freeform `apply_patch` tool and built-in ones.
 */

const WORKDIR = '/tmp/some project/dir';

const TOOLS = [
  { type: 'function', name: 'exec_command', parameters: { type: 'object', properties: { cmd: { type: 'string' } } } },
  { type: 'custom', name: 'apply_patch', format: { type: 'grammar', syntax: 'lark', definition: 'start: …' } },
  { type: 'web_search' },
];

const message = (role: string, text: string) => ({ type: 'message', role, content: [{ type: role === 'assistant' ? 'output_text' : 'input_text', text }] });

function agentRequest(prompt: string, extra: Record<string, unknown> = {}, history: unknown[] = []) {
  return {
    model: 'gpt-5.5',
    stream: true,
    instructions: '',
    input: [
      message('developer', 'You are Codex, a coding agent.'),
      message('user', `<environment_context>\n  <cwd>${WORKDIR}</cwd>\n  <shell>bash</shell>\n</environment_context>`),
      message('user', prompt),
      ...history,
    ],
    tools: TOOLS,
    tool_choice: 'auto',
    parallel_tool_calls: true,
    store: false,
    ...extra,
  };
}

async function post(mock: MockModel, body: unknown, options: { apiKey?: string; raw?: string } = {}): Promise<Response> {
  return fetch(`${mock.url}/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(options.apiKey !== undefined && { authorization: `Bearer ${options.apiKey}` }) },
    body: options.raw ?? JSON.stringify(body),
  });
}

interface SseEvent {
  event: string | undefined;
  data: string;
  json: Record<string, any> | undefined;
}

/** Reads a whole SSE answer into its events; `json` is undefined for data that is not JSON. */
async function readEvents(response: Response): Promise<SseEvent[]> {
  const raw = await response.text();
  return raw
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1] ?? '';
      let json: Record<string, any> | undefined;
      try {
        json = JSON.parse(data) as Record<string, any>;
      } catch {
        json = undefined;
      }
      return { event, data, json };
    });
}

/** What a Responses client makes of a stream: text from deltas, items from output_item.done, the final response. */
function assemble(events: SseEvent[]) {
  let text = '';
  const items: Record<string, any>[] = [];
  let completed: Record<string, any> | undefined;
  for (const { json } of events) {
    if (json?.type === 'response.output_text.delta') text += json.delta;
    if (json?.type === 'response.output_item.done') items.push(json.item);
    if (json?.type === 'response.completed') completed = json.response;
  }
  return { text, items, completed };
}

test('a text step streams as named events ending in response.completed with usage', async (t) => {
  const mock = await startWith({ steps: [{ text: 'Hello there, this is a longer answer.' }] });
  t.after(() => mock.close());
  const response = await post(mock, agentRequest('Say hi'));
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
  const events = await readEvents(response);
  // Every event is named after its type, as OpenAI sends them.
  assert.ok(events.every((e) => e.event === e.json?.type));
  assert.deepEqual(
    [...new Set(events.map((e) => e.event))],
    ['response.created', 'response.output_item.added', 'response.content_part.added', 'response.output_text.delta', 'response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.completed'],
  );
  assert.ok(events.filter((e) => e.event === 'response.output_text.delta').length > 1, 'text comes in pieces');
  assert.deepEqual(events.map((e) => e.json?.sequence_number), events.map((_, i) => i));
  const { text, items, completed } = assemble(events);
  assert.equal(text, 'Hello there, this is a longer answer.');
  assert.deepEqual(items, [
    { id: items[0]!.id, type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text, annotations: [] }] },
  ]);
  assert.equal(completed?.status, 'completed');
  assert.equal(completed?.model, 'gpt-5.5');
  assert.deepEqual(completed?.output, items);
  assert.ok(completed?.usage.input_tokens > 0 && completed?.usage.output_tokens > 0);
  assert.equal(completed?.usage.total_tokens, completed?.usage.input_tokens + completed?.usage.output_tokens);

  const [logged] = mock.requests();
  assert.equal(logged?.protocol, 'openai-responses');
  assert.equal(logged?.path, '/v1/responses');
  // The prompt, not the environment message before it.
  assert.equal(logged?.lastUserText, 'Say hi');
  assert.equal(logged?.hasTools, true);
  assert.deepEqual(logged?.toolNames, ['exec_command', 'apply_patch', 'web_search']);
  assert.equal(logged?.workdir, WORKDIR);
  assert.equal(logged?.stepIndex, 0);
});

test('tool steps: function calls with call_id and JSON arguments, freeform tools with their raw input', async (t) => {
  const patch = '*** Begin Patch\n*** Add File: {{workdir}}/a.txt\n+a\n*** End Patch\n';
  const mock = await startWith({
    steps: [{ text: 'Working.', tools: [{ name: 'exec_command', args: { cmd: 'ls {{workdir}}' } }, { name: 'apply_patch', args: { input: patch } }] }],
  });
  t.after(() => mock.close());
  const events = await readEvents(await post(mock, agentRequest('Go')));
  const { text, items } = assemble(events);
  assert.equal(text, 'Working.');
  assert.deepEqual(items.map((item) => item.type), ['message', 'function_call', 'custom_tool_call']);
  const [, call, custom] = items as [unknown, Record<string, any>, Record<string, any>];
  assert.deepEqual({ ...call, id: undefined }, {
    id: undefined,
    type: 'function_call',
    status: 'completed',
    call_id: 'call_1_0',
    name: 'exec_command',
    arguments: JSON.stringify({ cmd: `ls ${WORKDIR}` }),
  });
  assert.deepEqual({ ...custom, id: undefined }, {
    id: undefined,
    type: 'custom_tool_call',
    status: 'completed',
    call_id: 'call_1_1',
    name: 'apply_patch',
    input: patch.replace('{{workdir}}', WORKDIR),
  });
  // The arguments and the input also arrive as deltas that add up to the whole.
  const argumentDeltas = events.filter((e) => e.event === 'response.function_call_arguments.delta').map((e) => e.json?.delta).join('');
  assert.equal(argumentDeltas, call.arguments);
  const inputDeltas = events.filter((e) => e.event === 'response.custom_tool_call_input.delta').map((e) => e.json?.delta).join('');
  assert.equal(inputDeltas, custom.input);
  // output_item.added opens each item before its deltas, with the ids the deltas refer to.
  const added = events.filter((e) => e.event === 'response.output_item.added').map((e) => e.json?.item);
  assert.deepEqual(added.map((item) => [item.type, item.status]), [['message', 'in_progress'], ['function_call', 'in_progress'], ['custom_tool_call', 'in_progress']]);
});

test('every agent-loop request takes one step; the whole history is resent and the prompt stays the last user message', async (t) => {
  const mock = await startWith({ steps: [{ tools: [{ name: 'exec_command', args: { cmd: 'ls' } }] }, { text: 'Done.' }] });
  t.after(() => mock.close());
  const first = assemble(await readEvents(await post(mock, agentRequest('Do it'))));
  const call = first.items[0]!;
  const history = [call, { type: 'function_call_output', call_id: call.call_id, output: 'Process exited with code 0\nOutput:\nREADME.md\n' }];
  const second = assemble(await readEvents(await post(mock, agentRequest('Do it', {}, history))));
  assert.equal(second.text, 'Done.');
  // A new prompt in the same thread (codex exec resume) is the last user message.
  const third = assemble(await readEvents(await post(mock, agentRequest('Do it', {}, [...history, message('assistant', 'Done.'), message('user', 'Continue.')]))));
  assert.equal(third.text, 'Script exhausted.');
  assert.deepEqual(mock.requests().map((r) => [r.answeredBy, r.stepIndex, r.lastUserText]), [
    ['step', 0, 'Do it'],
    ['step', 1, 'Do it'],
    ['exhausted', null, 'Continue.'],
  ]);
});

test("codex's context parts (AGENTS.md, the environment) are system text, never the prompt", async (t) => {
  const mock = await startWith({ steps: [{ text: 'ok' }] });
  t.after(() => mock.close());
  // What codex 0.169 sends when the work dir has an AGENTS.md: both in one user message, two parts.
  const context = {
    type: 'message',
    role: 'user',
    content: [
      { type: 'input_text', text: `# AGENTS.md instructions for ${WORKDIR}\n\n<INSTRUCTIONS>\nBe nice.\n</INSTRUCTIONS>` },
      { type: 'input_text', text: `<environment_context>\n  <cwd>${WORKDIR}</cwd>\n</environment_context>` },
    ],
  };
  await readEvents(await post(mock, { ...agentRequest('x'), input: [message('developer', 'You are Codex.'), context, message('user', 'The prompt')] }));
  assert.deepEqual(mock.requests().map((r) => [r.lastUserText, r.workdir]), [['The prompt', WORKDIR]]);
});

test('a request without tools is a side request: answered with the title, no step taken', async (t) => {
  const mock = await startWith({ title: 'A title', steps: [{ text: 'the step' }] });
  t.after(() => mock.close());
  const side = assemble(await readEvents(await post(mock, { model: 'gpt-5.5', stream: true, input: 'Name this conversation' })));
  assert.equal(side.text, 'A title');
  assert.equal(assemble(await readEvents(await post(mock, agentRequest('go')))).text, 'the step');
  assert.deepEqual(mock.requests().map((r) => [r.answeredBy, r.lastUserText]), [['title', 'Name this conversation'], ['step', 'go']]);
});

test('errors are OpenAI-shaped; 429 carries retry-after; a wrong key gets 401; a bad body 400 and no step', async (t) => {
  const mock = await startWith(
    {
      steps: [
        { error: { status: 500, message: 'upstream exploded' } },
        { error: { status: 429, message: 'rate limited', retryAfterSeconds: 2 } },
        { text: 'recovered' },
      ],
    },
    { apiKey: 'k' },
  );
  t.after(() => mock.close());
  const unauthorized = await post(mock, agentRequest('go'), { apiKey: 'wrong' });
  assert.equal(unauthorized.status, 401);
  assert.equal(((await unauthorized.json()) as { error: { code: string } }).error.code, 'invalid_api_key');
  const notJson = await post(mock, null, { apiKey: 'k', raw: '{"model":' });
  assert.equal(notJson.status, 400);
  const noInput = await post(mock, { model: 'gpt-5.5' }, { apiKey: 'k' });
  assert.equal(noInput.status, 400);
  assert.match(((await noInput.json()) as { error: { message: string } }).error.message, /invalid responses request: input/);

  const failed = await post(mock, agentRequest('go'), { apiKey: 'k' });
  assert.equal(failed.status, 500);
  assert.deepEqual(await failed.json(), { error: { message: 'upstream exploded', type: 'server_error', code: 'server_error', param: null } });
  const limited = await post(mock, agentRequest('go'), { apiKey: 'k' });
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get('retry-after'), '2');
  assert.equal(((await limited.json()) as { error: { type: string } }).error.type, 'rate_limit_error');
  assert.equal(assemble(await readEvents(await post(mock, agentRequest('go'), { apiKey: 'k' }))).text, 'recovered');
  assert.deepEqual(mock.requests().map((r) => r.status), [401, 400, 400, 500, 429, 200]);
});

test('malformed: a valid start, then data no client can parse, and no response.completed', async (t) => {
  const mock = await startWith({ steps: [{ malformed: true }, { text: 'fine again' }] });
  t.after(() => mock.close());
  const events = await readEvents(await post(mock, agentRequest('go')));
  assert.equal(events[0]?.event, 'response.created');
  assert.equal(events.filter((e) => e.json === undefined).length, 1);
  assert.ok(!events.some((e) => e.event === 'response.completed'));
  assert.equal(assemble(await readEvents(await post(mock, agentRequest('go')))).text, 'fine again');
});

test('hang opens the stream and sends nothing; close() ends it; delayMs holds an answer back', async (t) => {
  const mock = await startWith({ steps: [{ text: 'slow', delayMs: 300 }, { hang: true }] });
  t.after(() => mock.close());
  const started = Date.now();
  assert.equal(assemble(await readEvents(await post(mock, agentRequest('go')))).text, 'slow');
  assert.ok(Date.now() - started >= 290);
  const hanging = await post(mock, agentRequest('go'));
  assert.equal(hanging.status, 200);
  const body = hanging.text().then(
    () => 'ended',
    () => 'cut',
  );
  assert.equal(await Promise.race([body, new Promise((resolve) => setTimeout(resolve, 300, 'still open'))]), 'still open');
  await mock.close();
  assert.ok(['ended', 'cut'].includes(await body));
});

test('stream: false gets the whole response object', async (t) => {
  const mock = await startWith({ steps: [{ text: 'whole', tools: [{ name: 'exec_command', args: { cmd: 'ls' } }] }] });
  t.after(() => mock.close());
  const response = await post(mock, agentRequest('go', { stream: false }));
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
  const body = (await response.json()) as Record<string, any>;
  assert.equal(body.object, 'response');
  assert.equal(body.status, 'completed');
  assert.deepEqual(body.output.map((item: { type: string }) => item.type), ['message', 'function_call']);
  assert.ok(body.usage.input_tokens > 0);
});
