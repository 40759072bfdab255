import assert from 'node:assert/strict';
import { test } from 'node:test';
import { agentRequest, post, readStream, startWith, titleRequest } from './chat-client.js';

interface ErrorBody {
  error: { message: string; type: string; code: string };
}

test('error steps answer `times` requests with an OpenAI-style error body', async (t) => {
  const mock = await startWith({
    steps: [{ error: { status: 500, message: 'upstream exploded' }, times: 3 }, { text: 'recovered' }],
  });
  t.after(() => mock.close());

  for (let i = 0; i < 3; i += 1) {
    const response = await post(mock, agentRequest('try'));
    assert.equal(response.status, 500);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    const body = (await response.json()) as ErrorBody;
    assert.equal(body.error.message, 'upstream exploded');
    assert.equal(body.error.type, 'server_error');
    assert.equal(typeof body.error.code, 'string');
  }
  // Title requests in between neither fail nor use up the error.
  assert.equal((await post(mock, titleRequest('t'))).status, 200);
  assert.equal((await readStream(await post(mock, agentRequest('try')))).text, 'recovered');
  assert.deepEqual(
    mock.requests().map((request) => request.status),
    [500, 500, 500, 200, 200],
  );
});

test('429 carries a retry-after header', async (t) => {
  const mock = await startWith({ steps: [{ error: { status: 429, message: 'rate limited', retryAfterSeconds: 1 } }] });
  t.after(() => mock.close());
  const response = await post(mock, agentRequest('go'));
  assert.equal(response.status, 429);
  assert.equal(response.headers.get('retry-after'), '1');
  const body = (await response.json()) as ErrorBody;
  assert.deepEqual(
    { message: body.error.message, type: body.error.type, code: body.error.code },
    { message: 'rate limited', type: 'rate_limit_error', code: 'rate_limit_exceeded' },
  );
});

test('malformed sends a chunk that is not JSON, then ends without [DONE]', async (t) => {
  const mock = await startWith({ steps: [{ malformed: true }, { text: 'fine again' }] });
  t.after(() => mock.close());
  const answer = await readStream(await post(mock, agentRequest('go')));
  assert.equal(answer.done, false);
  const unparsable = answer.data.filter((payload) => {
    try {
      JSON.parse(payload);
      return false;
    } catch {
      return true;
    }
  });
  assert.equal(unparsable.length, 1);
  assert.equal((await readStream(await post(mock, agentRequest('go')))).text, 'fine again');
});

test('hang sends headers, never finishes, and close() ends it', async (t) => {
  const mock = await startWith({ steps: [{ hang: true }] });
  t.after(() => mock.close());
  const response = await post(mock, agentRequest('go'));
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);

  const body = response.text().then(
    () => 'ended',
    () => 'cut',
  );
  const early = await Promise.race([body, new Promise((resolve) => setTimeout(resolve, 300, 'still open'))]);
  assert.equal(early, 'still open');

  const started = Date.now();
  await mock.close();
  // The answer hangs for ever: a close() that waited for it would not return at all (bounded well above any load).
  assert.ok(Date.now() - started < 30_000, 'close() does not wait for the hanging answer');
  assert.ok(['ended', 'cut'].includes(await body));
});

test('delayMs holds the answer back', async (t) => {
  const mock = await startWith({ steps: [{ text: 'slow answer', delayMs: 400 }] });
  t.after(() => mock.close());
  const started = Date.now();
  const answer = await readStream(await post(mock, agentRequest('go')));
  assert.ok(Date.now() - started >= 390, `answered after ${Date.now() - started} ms`);
  assert.equal(answer.text, 'slow answer');
});

test('close() cuts a delayed answer short', async () => {
  const mock = await startWith({ steps: [{ text: 'never sent', delayMs: 60_000 }] });
  const pending = post(mock, agentRequest('go')).then(
    () => 'answered',
    () => 'cut',
  );
  // Let the request arrive before closing.
  while (mock.requests().length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
  const started = Date.now();
  await mock.close();
  assert.ok(Date.now() - started < 30_000, 'close() returned long before the 60 s answer was due');
  assert.equal(await pending, 'cut');
});
