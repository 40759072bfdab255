import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BATON_BIN = fileURLToPath(new URL('../../bin/baton.js', import.meta.url));
export const RSS_REPORTER = fileURLToPath(new URL('./rss-report.js', import.meta.url));

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export const median = (values: number[]) => percentile(values, 50);

/** Wall time of a command, in ms, run to completion. */
export function timeCommand(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const started = performance.now();
  const result = spawnSync(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const elapsed = performance.now() - started;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return elapsed;
}

/** Runs `node [--import rss-report] bin/baton.js args` and returns wall ms and peak RSS in MB. */
export function timeBaton(args: string[], env: NodeJS.ProcessEnv): { ms: number; rssMb: number; stdout: string } {
  const started = performance.now();
  const result = spawnSync(process.execPath, ['--import', RSS_REPORTER, BATON_BIN, ...args], { env, encoding: 'utf8' });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`baton ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  const match = /baton-max-rss-kb=(\d+)/.exec(result.stderr);
  return { ms, rssMb: match ? Number(match[1]) / 1024 : NaN, stdout: result.stdout };
}

export function runBatonJson(args: string[], env: NodeJS.ProcessEnv): Promise<any> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BATON_BIN, ...args, '--json'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('close', (code) => {
      try {
        resolve(JSON.parse(out));
      } catch {
        reject(new Error(`baton ${args.join(' ')} exited ${code}: ${err}`));
      }
    });
  });
}

export interface Row {
  claim: string;
  measured: string;
  baseline: string;
  ratio: string;
  target: string;
  ok: boolean | null;
}

export function printTable(rows: Row[]): void {
  const header = ['claim', 'measured', 'baseline (same run)', 'ratio', 'target', 'ok'];
  const cells = rows.map((r) => [r.claim, r.measured, r.baseline, r.ratio, r.target, r.ok === null ? '-' : r.ok ? 'yes' : 'NO']);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((x, i) => x.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const c of cells) console.log(line(c));
}

export const fmtMs = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);

/** A git repository with one commit, in `root`/repo: what a bench agent works in. */
export function gitRepo(root: string): string {
  const repo = join(root, 'repo');
  execFileSync('git', ['init', '-q', '-b', 'main', repo]);
  writeFileSync(join(repo, 'README.md'), '# bench\n');
  execFileSync('git', ['-C', repo, 'add', '-A']);
  execFileSync('git', ['-C', repo, '-c', 'user.name=b', '-c', 'user.email=b@b', 'commit', '-q', '-m', 'init']);
  return repo;
}
