import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmtMs, gitRepo, percentile, runBatonJson, type Row } from './lib.js';

const AGENT = `#!/bin/sh
prompt=$(cat)
file=$(printf '%s' "$prompt" | sed -n 's/.*Create \\(phase[0-9]*\\.txt\\).*/\\1/p' | head -n 1)
printf 'x\\n' > "$file"
echo DONE
`;

/**
 * Time Baton adds per phase between one agent's exit and the next agent's start (no verification
 * configured, so none is included): recorded run end → next run start, over a plan of many phases.
 * The baseline is the by-hand minimum for the same step: git add + git commit + starting the agent.
 */
export async function benchPlanOverhead(phases = 21): Promise<Row[]> {
  const root = mkdtempSync(join(tmpdir(), 'baton-bench-plan-'));
  const repo = gitRepo(root);
  const agent = join(root, 'agent.sh');
  writeFileSync(agent, AGENT);
  chmodSync(agent, 0o755);
  const plan = join(root, 'plan.yaml');
  const list = Array.from({ length: phases }, (_, i) => `  - { id: "${i + 1}", title: "P${i + 1}", prompt: "Create phase${i + 1}.txt" }`).join('\n');
  writeFileSync(plan, `project: bench\ndir: ${repo}\ndefaults:\n  runner: cmd\n  runnerOptions: { command: "sh ${agent}", input: stdin, completion: "^DONE$" }\nphases:\n${list}\n`);
  const env = { ...process.env, BATON_HOME: join(root, 'home') };
  const started = await runBatonJson(['plan', 'run', plan, '--no-lint'], env);
  const done = await runBatonJson(['plan', 'wait', started.id, '--timeout', '10m'], env);
  if (done.state !== 'completed') throw new Error(`the benchmark plan ended ${done.state}: ${JSON.stringify(done.reasons)}`);
  const runs = (await runBatonJson(['list', '--limit', '500'], env)) as { id: string; name: string; startedAt: string; endedAt: string }[];
  const byPhase = (n: number) => runs.find((r) => r.name === `plan ${started.id} phase ${n} #1`)!;
  const gaps: number[] = [];
  for (let n = 1; n < phases; n++) gaps.push(Date.parse(byPhase(n + 1).startedAt) - Date.parse(byPhase(n).endedAt));

  const baselineRepo = gitRepo(mkdtempSync(join(tmpdir(), 'baton-bench-plan-base-')));
  const baseline: number[] = [];
  for (let n = 1; n <= 10; n++) {
    const t0 = performance.now();
    writeFileSync(join(baselineRepo, `f${n}.txt`), 'x\n');
    spawnSync('git', ['-C', baselineRepo, 'add', `f${n}.txt`]);
    spawnSync('git', ['-C', baselineRepo, '-c', 'user.name=b', '-c', 'user.email=b@b', 'commit', '-q', '-m', `Phase ${n}`]);
    spawnSync('sh', [agent], { input: 'Create nothing', cwd: baselineRepo });
    baseline.push(performance.now() - t0);
  }
  const p95 = percentile(gaps, 95);
  return [
    {
      claim: `plan overhead per phase, agent exit → next agent start (p95 of ${gaps.length} gaps)`,
      measured: `${fmtMs(p95)} (p50 ${fmtMs(percentile(gaps, 50))})`,
      baseline: `git add + commit + start agent by hand: ${fmtMs(percentile(baseline, 50))}`,
      ratio: `${(p95 / percentile(baseline, 50)).toFixed(1)}x`,
      target: 'p95 <= 1 s',
      ok: p95 <= 1000,
    },
  ];
}
