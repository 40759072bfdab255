import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BATON_BIN, fmtMs, percentile, runBatonJson, type Row } from './lib.js';

/** Lines of `start NAME MS` / `end NAME MS` that the bench agents write. */
function notes(path: string): Map<string, { start?: number; end?: number }> {
  const byName = new Map<string, { start?: number; end?: number }>();
  for (const line of readFileSync(path, 'utf8').trim().split('\n').filter(Boolean)) {
    const [kind, name, at] = line.split(' ') as ['start' | 'end', string, string];
    byName.set(name, { ...byName.get(name), [kind]: Number(at) });
  }
  return byName;
}

function waitFor(env: NodeJS.ProcessEnv, ids: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BATON_BIN, 'wait', '--json', '--timeout', '10m', ...ids], { env, stdio: 'ignore' });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`baton wait exited ${code}`))));
  });
}

/**
 * How soon a queued run's agent starts after a slot frees (the previous agent's last line to the next
 * agent's first, cap 1, no Baton command running), against how long a lone `baton run` takes from its
 * call to its agent's first line: the queue should cost no more than launching does.
 */
export async function benchQueueLatency(quick: boolean): Promise<Row[]> {
  const root = mkdtempSync(join(tmpdir(), 'baton-bench-queue-'));
  const events = join(root, 'events.log');
  writeFileSync(events, '');
  const agent = join(root, 'agent.sh');
  writeFileSync(agent, '#!/bin/sh\necho "start $1 $(date +%s%3N)" >> "$EVENTS"\nsleep 0.3\necho "end $1 $(date +%s%3N)" >> "$EVENTS"\n');
  chmodSync(agent, 0o755);
  const env = { ...process.env, BATON_HOME: join(root, 'home'), BATON_MAX_CONCURRENT: '1', EVENTS: events };
  const args = (name: string) => ['run', '--runner', 'cmd', '--runner-option', `command=${agent} {prompt}`, '--dir', root, name];

  // Baseline: a lone launch, from the call to the agent's first line (the host already up).
  const lone: number[] = [];
  for (let i = 0; i < (quick ? 3 : 7); i++) {
    const calledAt = Date.now();
    const run = await runBatonJson(args(`lone${i}`), env);
    await waitFor(env, [run.id]);
    lone.push(notes(events).get(`lone${i}`)!.start! - calledAt);
  }

  const count = quick ? 8 : 20;
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await runBatonJson(args(`q${i}`), env)).id);
  await waitFor(env, ids);
  const seen = notes(events);
  const gaps: number[] = [];
  for (let i = 1; i < count; i++) gaps.push(seen.get(`q${i}`)!.start! - seen.get(`q${i - 1}`)!.end!);
  const p95 = percentile(gaps, 95);
  const loneMedian = percentile(lone, 50);
  return [
    {
      claim: `queue: a queued agent starts after the slot frees, p95 of ${gaps.length} (cap 1)`,
      measured: fmtMs(p95),
      baseline: `a lone baton run to its agent: ${fmtMs(loneMedian)}`,
      ratio: `${(p95 / loneMedian).toFixed(2)}x`,
      target: 'about 1 s',
      ok: p95 <= 1_500,
    },
  ];
}
