import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PhaseState } from '../src/store/plans.js';
import { openStore } from '../src/store/index.js';
import { fmtMs, gitRepo, median, percentile, runBatonJson, type Row } from './lib.js';

/** Sleeps $1 seconds, then writes the file its prompt names ("Create NAME.txt"): a phase's whole work. */
const AGENT = `#!/bin/sh
prompt=$(cat)
file=$(printf '%s' "$prompt" | sed -n 's/.*Create \\([a-z0-9]*\\.txt\\).*/\\1/p' | head -n 1)
sleep "$1"
printf 'x\\n' > "$file"
echo DONE
`;

interface BenchPhase {
  id: string;
  needs: string[];
}

function writePlan(root: string, repo: string, agent: string, sleepS: number, phases: BenchPhase[], maxParallel: number): string {
  const file = join(root, `plan-${maxParallel}.yaml`);
  const list = phases
    .map((p) => `  - { id: "${p.id}", title: "P${p.id}", prompt: "Create phase${p.id}.txt", files: [phase${p.id}.txt], needs: [${p.needs.map((n) => `"${n}"`).join(', ')}] }`)
    .join('\n');
  const header = `project: bench\ndir: ${repo}\n${maxParallel > 1 ? `maxParallel: ${maxParallel}\n` : ''}`;
  writeFileSync(file, `${header}defaults:\n  runner: cmd\n  runnerOptions: { command: "sh ${agent} ${sleepS}", input: stdin, completion: "^DONE$" }\nphases:\n${list}\n`);
  return file;
}

function prepare(prefix: string): { root: string; repo: string; agent: string; env: NodeJS.ProcessEnv } {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const agent = join(root, 'agent.sh');
  writeFileSync(agent, AGENT);
  chmodSync(agent, 0o755);
  // Plan phases go through the machine-wide run queue too: let the cap not be what is measured.
  return { root, repo: gitRepo(root), agent, env: { ...process.env, BATON_HOME: join(root, 'home'), BATON_MAX_CONCURRENT: '8' } };
}

/**
 * Runs a plan to its end while polling its phase records every few ms: the first moment each phase
 * was seen in each state. A SQLite read is far cheaper than a `plan status` call, so the states are
 * timed by Baton's own record rather than by a CLI's start-up.
 */
async function runTimed(plan: string, env: NodeJS.ProcessEnv): Promise<{ id: string; wallMs: number; seen: Map<string, Partial<Record<PhaseState, number>>> }> {
  const started = await runBatonJson(['plan', 'run', plan, '--no-lint'], env);
  const id = started.id as string;
  const store = openStore(env.BATON_HOME!);
  const seen = new Map<string, Partial<Record<PhaseState, number>>>();
  const deadline = Date.now() + 10 * 60_000;
  try {
    for (;;) {
      const now = Date.now();
      for (const phase of store.plans.phases(id)) {
        const states = seen.get(phase.phaseId) ?? {};
        states[phase.state] ??= now;
        seen.set(phase.phaseId, states);
      }
      const record = store.plans.getPlanRun(id)!;
      if (record.state !== 'running') {
        if (record.state !== 'completed') throw new Error(`the benchmark plan ended ${record.state}: ${record.reasons.join('; ')}`);
        return { id, wallMs: record.endedAt! - record.createdAt, seen };
      }
      if (now > deadline) throw new Error('the benchmark plan ran for 10 minutes');
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    store.close();
  }
}

/**
 * Two independent pairs (a→b, c→d) whose agents each take ~2 s: at maxParallel 2 both pairs run side
 * by side. Listed a, c, b, d: phases merge strictly in order, so with a, b, c, d the merge of c (and
 * with it the start of d) would wait for b's whole run.
 */
export async function benchParallelWall(quick: boolean): Promise<Row[]> {
  const phases: BenchPhase[] = [
    { id: 'a', needs: [] },
    { id: 'c', needs: [] },
    { id: 'b', needs: ['a'] },
    { id: 'd', needs: ['c'] },
  ];
  const rounds = quick ? 1 : 3;
  const wall = { serial: [] as number[], parallel: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    for (const [kind, maxParallel] of [['serial', 1], ['parallel', 2]] as const) {
      const { root, repo, agent, env } = prepare(`baton-bench-par-${kind}-`);
      wall[kind].push((await runTimed(writePlan(root, repo, agent, 2, phases, maxParallel), env)).wallMs);
    }
  }
  const serial = median(wall.serial);
  const parallel = median(wall.parallel);
  return [
    {
      claim: `4-phase plan, two independent pairs (a→b, c→d, listed a c b d), agents of ~2 s: maxParallel 2 (median of ${rounds})`,
      measured: fmtMs(parallel),
      baseline: `the same plan serial: ${fmtMs(serial)}`,
      ratio: `${(parallel / serial).toFixed(2)}x`,
      target: 'about 0.5x',
      ok: parallel / serial <= 0.75,
    },
  ];
}

/**
 * The merge queue's own cost per phase: from the moment a phase is first in line (it waits to merge
 * and every phase before it in order is committed) to its commit on the plan branch. The plan fans
 * out (every phase after the first needs only the first) so the tip moves under most phases and the
 * merge includes bringing their worktree onto it. Baseline: the git commands of such a merge by hand.
 */
export async function benchMergeQueue(quick: boolean): Promise<Row[]> {
  const count = quick ? 6 : 9;
  const phases: BenchPhase[] = Array.from({ length: count }, (_, i) => ({ id: String(i + 1), needs: i === 0 ? [] : ['1'] }));
  const { root, repo, agent, env } = prepare('baton-bench-mergeq-');
  const { seen } = await runTimed(writePlan(root, repo, agent, 0.3, phases, 2), env);
  if (![...seen.values()].some((states) => states['merge-queued'] !== undefined || states.merging !== undefined)) {
    throw new Error('no phase of the parallel plan was ever seen queued to merge or merging: it ran serially');
  }
  const overheads: number[] = [];
  // The last step alone (the branch advanced, the user's checkout brought along): where the rest goes.
  const advancing: number[] = [];
  let previousCommitted = 0;
  for (const phase of phases) {
    const states = seen.get(phase.id)!;
    const committed = states.committed!;
    if (states.merging !== undefined) advancing.push(committed - states.merging);
    // Seen waiting to merge, else merging, else (polled too slowly) only committed.
    const ready = Math.min(states['merge-queued'] ?? Infinity, states.merging ?? Infinity, committed);
    overheads.push(committed - Math.max(ready, previousCommitted));
    previousCommitted = committed;
  }

  const byHand: number[] = [];
  const handRepo = gitRepo(mkdtempSync(join(tmpdir(), 'baton-bench-mergeq-hand-')));
  const git = (...args: string[]) => execFileSync('git', ['-C', handRepo, '-c', 'user.name=b', '-c', 'user.email=b@b', ...args], { encoding: 'utf8' }).trim();
  for (let n = 0; n < 10; n++) {
    git('checkout', '-q', '-b', `side${n}`);
    writeFileSync(join(handRepo, `side${n}.txt`), 'x\n');
    git('add', `side${n}.txt`);
    git('commit', '-q', '-m', 'work');
    git('checkout', '-q', 'main');
    writeFileSync(join(handRepo, `main${n}.txt`), 'x\n');
    git('add', `main${n}.txt`);
    git('commit', '-q', '-m', 'moved');
    const tip = git('rev-parse', 'HEAD');
    const t0 = performance.now();
    const tree = git('merge-tree', '--write-tree', '--no-messages', '--name-only', tip, `side${n}`).split('\n')[0]!;
    const commit = git('commit-tree', tree, '-p', tip, '-m', `Phase ${n}`);
    git('update-ref', 'refs/heads/main', commit, tip);
    git('checkout', commit, '--', `side${n}.txt`);
    byHand.push(performance.now() - t0);
  }
  const p95 = percentile(overheads, 95);
  const hand = median(byHand);
  return [
    {
      claim: `merge queue: first in line → committed, p95 of ${overheads.length} phases (maxParallel 2, no verification)`,
      measured: `${fmtMs(p95)} (p50 ${fmtMs(percentile(overheads, 50))}; merging → committed p50 ${fmtMs(percentile(advancing, 50))})`,
      baseline: `merge-tree + commit-tree + update-ref + checkout by hand: ${fmtMs(hand)}`,
      ratio: `${(p95 / hand).toFixed(1)}x`,
      target: 'p95 <= 1 s',
      ok: p95 <= 1000,
    },
  ];
}
