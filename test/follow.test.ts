import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import type { FollowEvent } from '../src/follow.js';
import { startCmdAgentSession } from './processes/cmd-agent.js';

async function collect(events: AsyncIterable<FollowEvent>): Promise<FollowEvent[]> {
  const out: FollowEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

test('followEvents: a live run\'s output in order, its record changes, then one end after all its output', async (t) => {
  const session = await startCmdAgentSession(t);
  const id = await session.launch('for i in 1 2 3 4 5; do echo "line $i"; sleep 0.2; done\necho DONE\n');
  const events = await collect(session.baton.followEvents(id, 0, { signal: AbortSignal.timeout(120_000) }));
  const text = events.flatMap((e) => (e.kind === 'text' ? [e.text] : [])).join('');
  assert.match(text, /line 1\nline 2\nline 3\nline 4\nline 5\nDONE\n/);
  assert.ok(events.some((e) => e.kind === 'changed'), 'the record changed at least once');
  assert.deepEqual(events.at(-1), { kind: 'end', state: 'completed' });
  assert.equal(events.filter((e) => e.kind === 'end').length, 1);
  const offsets = events.flatMap((e) => (e.kind === 'text' ? [e.offset] : []));
  assert.deepEqual(offsets, [...offsets].sort((a, b) => a - b), 'offsets only grow');
  // follow is the same stream as text, returning the final status.
  let followed = '';
  const status = await session.baton.follow(id, 0, (chunk) => (followed += chunk), { signal: AbortSignal.timeout(60_000) });
  assert.equal(followed, text);
  assert.equal(status.state, 'completed');
});

test('followEvents with a backlog bound: far behind, it skips to a line start and yields at most the bound between looks at the record', async (t) => {
  const session = await startCmdAgentSession(t);
  const id = await session.launch('echo DONE\n');
  await session.baton.wait([id], { timeoutMs: 120_000 });
  // The run is over; give its log a long history to replay.
  const log = session.baton.resolveRun(id).logPath;
  const lines = Array.from({ length: 5_000 }, (_, i) => `line ${String(i).padStart(5, '0')}`);
  writeFileSync(log, `${lines.join('\n')}\n`);
  const events = await collect(session.baton.followEvents(id, 0, { maxBacklogBytes: 4_096, chunkBytes: 1_024 }));
  assert.equal(events[0]!.kind, 'skipped');
  const streamed = events.flatMap((e) => (e.kind === 'text' ? [e.text] : [])).join('');
  assert.match(streamed, /^line \d{5}\n/, 'starts at a whole line');
  assert.ok(streamed.endsWith('line 04999\n'));
  assert.ok(Buffer.byteLength(streamed) <= 4_096);
  const skipped = events[0]!.kind === 'skipped' ? events[0]!.bytes : 0;
  assert.equal(skipped + Buffer.byteLength(streamed), Buffer.byteLength(`${lines.join('\n')}\n`));
  assert.equal(events.at(-1)!.kind, 'end');
});
