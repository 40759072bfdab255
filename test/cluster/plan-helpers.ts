/**
 * Plans over the test cluster: a plan file of cmd phases, running it from the lead to its end, and the
 * checks every plan test makes (one commit per phase with its trailers; each agent on a worker). The
 * same helpers as test/cluster/plan.e2e.test.ts's own, shared here for the fault tests.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClusterWorker, TestCluster } from './harness.js';

export interface Trace {
  home: string;
  cwd: string;
  file: string;
}

export type Phase = { id: string; needs?: string[] };

/** A plan of cmd phases, each writing `<id>.txt` (its prompt names the file) and verified on the lead. */
export function writePlan(cluster: TestCluster, command: string, phases: Phase[], maxParallel: number, dir = cluster.repo): string {
  const file = join(cluster.scratch, 'plan.yaml');
  const lines = phases.map(({ id, needs = [] }) => {
    const name = `${id.toLowerCase()}.txt`;
    return `  - { id: ${id}, title: "Step ${id}", prompt: "${name}", files: [${name}], needs: [${needs.join(', ')}], verify: ["test -f ${name}"] }`;
  });
  writeFileSync(
    file,
    `project: scratch
dir: ${dir}
maxParallel: ${maxParallel}
defaults: { runner: cmd, runnerOptions: { command: ${JSON.stringify(command)} } }
phases:
${lines.join('\n')}
`,
  );
  return file;
}

/** Runs the plan from the lead to its end; returns its final status. */
export async function runPlan(cluster: TestCluster, file: string): Promise<{ id: string; status: any }> {
  const started = await cluster.cli(['plan', 'run', file, '--no-lint', '--json']);
  assert.equal(started.code, 0, started.stderr);
  const id = started.json.id as string;
  return { id, status: await waitPlanCompleted(cluster, id) };
}

/** Waits for a plan run to end and asserts it completed (its status, stderr and driver log otherwise); returns its final status. */
export async function waitPlanCompleted(cluster: TestCluster, id: string): Promise<any> {
  const waited = await cluster.cli(['plan', 'wait', id, '--timeout', '50s', '--json'], { timeoutMs: 60_000 });
  const driverLog = () => readFileSync(join(cluster.env.BATON_HOME!, 'plans', `${id}.driver.log`), 'utf8');
  assert.equal(waited.json?.state, 'completed', `${JSON.stringify(waited.json, null, 1)}\n${waited.stderr}\ndriver log:\n${driverLog()}`);
  return waited.json;
}

/** Exactly one commit per phase on the lead's branch, in `order`, each holding only its file (in `subdir`), with the trailers. */
export async function assertOneCommitPerPhase(cluster: TestCluster, planRunId: string, order: string[], subdir = ''): Promise<void> {
  const subjects = (await cluster.git(cluster.repo, 'log', '--format=%s', 'main')).trim().split('\n').reverse();
  const setup = subdir ? ['the plan\'s folder'] : [];
  assert.deepEqual(subjects, ['initial', ...setup, ...order.map((id) => `Phase ${id}: Step ${id}`)]);
  for (const [i, id] of [...order].reverse().entries()) {
    const files = (await cluster.git(cluster.repo, 'show', '--name-only', '--format=', `main~${i}`)).trim().split('\n');
    assert.deepEqual(files, [`${subdir}${id.toLowerCase()}.txt`], `main~${i} holds only phase ${id}'s file`);
    const body = await cluster.git(cluster.repo, 'show', '-s', '--format=%B', `main~${i}`);
    assert.match(body, new RegExp(`Baton-Plan-Run: ${planRunId}\\nBaton-Phase: ${id}`));
  }
}

/** Each phase's agent ran once, on a worker, in that worker's checkout: never on the lead. */
export async function assertRanOnWorkers(cluster: TestCluster, trace: string, workers: ClusterWorker[], ids: string[]): Promise<Trace[]> {
  const traces = (await readFile(trace, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as Trace);
  assert.deepEqual(traces.map((t) => t.file).sort(), ids.map((id) => `${id.toLowerCase()}.txt`).sort(), 'each phase\'s agent ran exactly once');
  const homes = new Set(workers.map((w) => w.home));
  for (const t of traces) {
    assert.ok(homes.has(t.home), `${t.file} ran under a worker's home, not ${t.home}`);
    assert.ok(t.cwd.startsWith(t.home), `${t.file} ran in its worker's checkout (${t.cwd}), not the lead's`);
  }
  return traces;
}

/**
 * A cmd agent with a session: a fresh run writes `draft` to the file its prompt's first line names; a
 * resumed one (`--resume SESSION`, any prompt) rewrites each draft it finds as fixed in that session.
 */
export async function writeDrafter(scratch: string): Promise<SessionAgent> {
  return writeSessionAgent(
    scratch,
    'drafter',
    `const files = resumed ? readdirSync('.').filter((f) => f.endsWith('.txt') && readFileSync(f, 'utf8') === 'draft\\n') : [args[0].split('\\n')[0]];
for (const file of files) writeFileSync(file, resumed ? 'fixed in ' + session + '\\n' : 'draft\\n');
appendFileSync(TRACE, JSON.stringify({ home: process.env.BATON_HOME, session, resumed, files, cwd: process.cwd() }) + '\\n');
`,
  );
}

export interface SessionAgent {
  runnerOptions: Record<string, string>;
  trace: string;
}

/**
 * A cmd agent with a session, `<name>.mjs` in scratch: it prints `session: ID` (a fresh one, or the one
 * `--resume ID` continues), then runs `body`, which sees `args` (the prompt), `resumed`, `session`, the
 * node:fs functions it uses, and `TRACE` (the path of its JSON-lines trace).
 */
export async function writeSessionAgent(scratch: string, name: string, body: string): Promise<SessionAgent> {
  const path = join(scratch, `${name}.mjs`);
  const trace = join(scratch, `${name}-trace.jsonl`);
  writeFileSync(
    path,
    `import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
const TRACE = ${JSON.stringify(trace)};
const args = process.argv.slice(2);
const resumed = args[0] === '--resume' ? args.splice(0, 2)[1] : null;
const session = resumed ?? 'ses-' + process.pid + '-' + Date.now();
console.log('session: ' + session);
${body}`,
  );
  const node = process.execPath;
  return { runnerOptions: { command: `${node} ${path} {prompt}`, resumeCommand: `${node} ${path} --resume {session} {prompt}`, session: '^session: (\\S+)' }, trace };
}

/** A cmd runner's options as the flow mapping a plan's YAML takes. */
export function runnerOptionsYaml(options: Record<string, string>): string {
  return `{ ${Object.entries(options).map(([key, value]) => `${key}: ${JSON.stringify(value)}`).join(', ')} }`;
}
