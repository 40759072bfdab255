import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseScript, startMockModel, type MockModel, type ScriptInput } from '../../src/mock-model/index.js';

// The Anthropic Messages endpoint of the scripted model, over real HTTP, with requests shaped like
// the ones Claude Code 2.1 sends (system blocks, reminder blocks in user turns, `?beta=true`).

const WORKDIR = '/tmp/some project/dir';
const KEY = 'anthropic-test-key';

const SYSTEM = [
  { type: 'text', text: 'x-anthropic-billing-header: cc_version=2.1.197; cc_entrypoint=sdk-cli;' },
  { type: 'text', text: "You are a Claude agent, built on Anthropic's Claude Agent SDK.", cache_control: { type: 'ephemeral' } },
  { type: 'text', text: `# Environment\nYou have been invoked in the following environment: \n - Primary working directory: ${WORKDIR}\n - Is a git repository: true\n` },
];
const REMINDER = { type: 'text', text: '<system-reminder>\nToday is a day.\n</system-reminder>\n\n' };
const TOOLS = ['Bash', 'Read', 'Write'].map((name) => ({ name, description: `the ${name} tool`, input_schema: { type: 'object', properties: {} } }));

function agentRequest(prompt: string, extra: Record<string, unknown> = {}) {
  return {
    model: 'claude-sonnet-4-5',
    max_tokens: 32000,
    stream: true,
    system: SYSTEM,
    messages: [{ role: 'user', content: [REMINDER, { type: 'text', text: prompt, cache_control: { type: 'ephemeral' } }] }],
    tools: TOOLS,
    ...extra,
  };
}

async function startWith(script: ScriptInput): Promise<MockModel> {
  return startMockModel({ script: parseScript(script), apiKey: KEY });
}

function post(mock: MockModel, body: unknown, options: { apiKey?: string | null; path?: string } = {}): Promise<Response> {
  const apiKey = options.apiKey === undefined ? KEY : options.apiKey;
  return fetch(`${mock.url.replace(/\/v1$/, '')}${options.path ?? '/v1/messages?beta=true'}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', ...(apiKey !== null && { 'x-api-key': apiKey }) },
    body: JSON.stringify(body),
  });
}

interface Streamed {
  events: { event: string; data: string }[];
  /** Event names in order. */
  names: string[];
  text: string;
  tools: { id: string; name: string; input: unknown }[];
  stopReason: string | null;
  usage: { input_tokens?: number; output_tokens?: number };
}

/** Reads an SSE answer and assembles it the way the Anthropic SDK would. */
async function readStream(response: Response): Promise<Streamed> {
  const raw = await response.text();
  const events = raw
    .split('\n\n')
    .filter((frame) => frame.trim() !== '')
    .map((frame) => {
      const event = /^event: (.*)$/m.exec(frame)?.[1] ?? '';
      const data = /^data: (.*)$/m.exec(frame)?.[1] ?? '';
      return { event, data };
    });
  const answer: Streamed = { events, names: events.map((e) => e.event), text: '', tools: [], stopReason: null, usage: {} };
  const partial: string[] = [];
  for (const { event, data } of events) {
    let payload: any;
    try {
      payload = JSON.parse(data);
    } catch {
      continue;
    }
    assert.equal(payload.type, event, 'each event names its data type');
    if (event === 'message_start') answer.usage = { ...payload.message.usage };
    if (event === 'content_block_start' && payload.content_block.type === 'tool_use') {
      answer.tools[payload.index] = { id: payload.content_block.id, name: payload.content_block.name, input: undefined };
      partial[payload.index] = '';
    }
    if (event === 'content_block_delta' && payload.delta.type === 'text_delta') answer.text += payload.delta.text;
    if (event === 'content_block_delta' && payload.delta.type === 'input_json_delta') partial[payload.index] += payload.delta.partial_json;
    if (event === 'content_block_stop' && answer.tools[payload.index]) answer.tools[payload.index]!.input = JSON.parse(partial[payload.index]!);
    if (event === 'message_delta') {
      answer.stopReason = payload.delta.stop_reason;
      answer.usage = { ...answer.usage, ...payload.usage };
    }
  }
  answer.tools = answer.tools.filter(Boolean);
  return answer;
}

test('streams text and tool_use blocks as Anthropic SSE, with {{workdir}} from Claude\'s environment section', async (t) => {
  const mock = await startWith({
    steps: [
      { text: 'Writing it.', tools: [{ name: 'Write', args: { file_path: '{{workdir}}/a.txt', content: 'é\n' } }, { name: 'Bash', args: { command: 'ls', description: 'List' } }] },
      { text: 'All done.' },
    ],
  });
  t.after(() => mock.close());

  const first = await post(mock, agentRequest('Do it'));
  assert.equal(first.status, 200);
  assert.match(first.headers.get('content-type') ?? '', /^text\/event-stream/);
  const answer = await readStream(first);
  assert.equal(answer.names[0], 'message_start');
  assert.deepEqual(answer.names.slice(-2), ['message_delta', 'message_stop']);
  assert.equal(answer.text, 'Writing it.');
  assert.deepEqual(answer.tools.map((tool) => [tool.name, tool.input]), [
    ['Write', { file_path: `${WORKDIR}/a.txt`, content: 'é\n' }],
    ['Bash', { command: 'ls', description: 'List' }],
  ]);
  assert.ok(answer.tools.every((tool) => /^toolu_/.test(tool.id)));
  assert.equal(answer.stopReason, 'tool_use');
  assert.ok(answer.usage.input_tokens! > 0 && answer.usage.output_tokens! > 0);

  // Claude sends the results back in a user turn that has no text of its own.
  const results = {
    ...agentRequest('Do it'),
    messages: [
      ...agentRequest('Do it').messages,
      { role: 'assistant', content: answer.tools.map((tool) => ({ type: 'tool_use', id: tool.id, name: tool.name, input: tool.input })) },
      { role: 'system', content: 'A mid-conversation system note.' },
      { role: 'user', content: answer.tools.map((tool) => ({ type: 'tool_result', tool_use_id: tool.id, content: 'ok' })) },
    ],
  };
  const second = await readStream(await post(mock, results));
  assert.equal(second.text, 'All done.');
  assert.deepEqual(second.tools, []);
  assert.equal(second.stopReason, 'end_turn');

  const logged = mock.requests();
  assert.deepEqual(logged.map((r) => [r.path, r.protocol, r.answeredBy, r.stepIndex]), [
    ['/v1/messages', 'anthropic-messages', 'step', 0],
    ['/v1/messages', 'anthropic-messages', 'step', 1],
  ]);
  assert.deepEqual(logged.map((r) => r.lastUserText), ['Do it', 'Do it'], 'the prompt, not reminders or tool results');
  assert.deepEqual(logged[0]!.toolNames, ['Bash', 'Read', 'Write']);
  assert.equal(logged[0]!.hasTools, true);
  assert.equal(logged[0]!.workdir, WORKDIR);
});

test('side requests (no tools, or a max_tokens 1 probe) take no step; a string prompt is the user text', async (t) => {
  const mock = await startWith({ title: 'Fix add()', steps: [{ text: 'the first step' }] });
  t.after(() => mock.close());

  const title = await readStream(await post(mock, { ...agentRequest('<session>fix it</session>'), tools: undefined }));
  assert.equal(title.text, 'Fix add()');
  const probe = await readStream(await post(mock, { ...agentRequest('quota'), max_tokens: 1 }));
  assert.equal(probe.text, 'Fix add()');
  const real = await readStream(await post(mock, { ...agentRequest('x'), messages: [{ role: 'user', content: 'plain string prompt' }] }));
  assert.equal(real.text, 'the first step');

  assert.deepEqual(mock.requests().map((r) => [r.answeredBy, r.hasTools, r.lastUserText]), [
    ['title', false, '<session>fix it</session>'],
    ['title', false, 'quota'],
    ['step', true, 'plain string prompt'],
  ]);
  assert.deepEqual(mock.requests()[1]!.toolNames, ['Bash', 'Read', 'Write'], 'the probe\'s tools are still recorded');
});

test('the API key comes in x-api-key (or as a bearer token); errors use Anthropic\'s shape', async (t) => {
  const mock = await startWith({ steps: [{ text: 'ok' }] });
  t.after(() => mock.close());
  for (const apiKey of [null, 'wrong']) {
    const response = await post(mock, agentRequest('go'), { apiKey });
    assert.equal(response.status, 401);
    assert.deepEqual(await response.json(), { type: 'error', error: { type: 'authentication_error', message: 'Incorrect API key provided to the Baton mock model.' } });
  }
  const bearer = await fetch(`${mock.url}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
    body: JSON.stringify(agentRequest('go')),
  });
  assert.equal((await readStream(bearer)).text, 'ok');

  const invalid = await post(mock, { model: 'm', messages: 'hello' });
  assert.equal(invalid.status, 400);
  const body = (await invalid.json()) as { type: string; error: { type: string; message: string } };
  assert.equal(body.type, 'error');
  assert.equal(body.error.type, 'invalid_request_error');
  assert.match(body.error.message, /messages/);
});

test('scripted errors: 500 api_error, 429 rate_limit_error with retry-after, 529 overloaded_error', async (t) => {
  const mock = await startWith({
    steps: [
      { error: { status: 500, message: 'upstream exploded' }, times: 2 },
      { error: { status: 429, message: 'slow down', retryAfterSeconds: 3 } },
      { error: { status: 529, message: 'Overloaded' } },
      { text: 'recovered' },
    ],
  });
  t.after(() => mock.close());
  const seen: [number, unknown, string | null][] = [];
  for (let i = 0; i < 4; i++) {
    const response = await post(mock, agentRequest('go'));
    seen.push([response.status, await response.json(), response.headers.get('retry-after')]);
  }
  assert.deepEqual(seen, [
    [500, { type: 'error', error: { type: 'api_error', message: 'upstream exploded' } }, null],
    [500, { type: 'error', error: { type: 'api_error', message: 'upstream exploded' } }, null],
    [429, { type: 'error', error: { type: 'rate_limit_error', message: 'slow down' } }, '3'],
    [529, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, null],
  ]);
  assert.equal((await readStream(await post(mock, agentRequest('go')))).text, 'recovered');
});

test('malformed breaks the stream mid-event; hang keeps it open until close()', async (t) => {
  const mock = await startWith({ steps: [{ malformed: true }, { hang: true }] });
  t.after(() => mock.close());
  const broken = await readStream(await post(mock, agentRequest('go')));
  assert.equal(broken.names[0], 'message_start');
  assert.ok(!broken.names.includes('message_stop'));
  assert.throws(() => JSON.parse(broken.events.at(-1)!.data));

  const hanging = await post(mock, agentRequest('go'));
  assert.equal(hanging.status, 200);
  const body = hanging.text().then(() => 'ended', () => 'cut');
  assert.equal(await Promise.race([body, new Promise((resolve) => setTimeout(resolve, 300, 'still open'))]), 'still open');
  await mock.close();
  assert.ok(['ended', 'cut'].includes(await body));
});

test('stream: false gets one message object', async (t) => {
  const mock = await startWith({ steps: [{ text: 'whole', tools: [{ name: 'Read', args: { file_path: '{{workdir}}/x' } }] }] });
  t.after(() => mock.close());
  const response = await post(mock, agentRequest('go', { stream: false }));
  const message = (await response.json()) as { type: string; content: { type: string; text?: string; name?: string; input?: unknown }[]; stop_reason: string };
  assert.equal(message.type, 'message');
  assert.deepEqual(message.content.map((block) => block.text ?? [block.name, block.input]), ['whole', ['Read', { file_path: `${WORKDIR}/x` }]]);
  assert.equal(message.stop_reason, 'tool_use');
});

test('tool_use ids differ between servers, so a session resumed against a new server never sees one twice', async (t) => {
  const script = { steps: [{ tools: [{ name: 'Bash', args: { command: 'true' } }] }] };
  const ids: string[] = [];
  for (let i = 0; i < 2; i++) {
    const mock = await startWith(script);
    t.after(() => mock.close());
    ids.push((await readStream(await post(mock, agentRequest('go')))).tools[0]!.id);
  }
  assert.notEqual(ids[0], ids[1]);
});
