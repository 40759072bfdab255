import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Baton } from '../baton.js';
import { usageError } from '../errors.js';
import type { BaselineDiff } from '../baseline/index.js';
import type { BriefEvent } from '../digest.js';
import { parseScript, prepareAgentSandbox, startMockModel } from '../mock-model/index.js';
import type { RunStatus } from '../report.js';
import { getRunner } from '../runners/registry.js';
import type { RunnerName } from '../runners/types.js';
import { DEMO_FILES, DEMO_PROMPT, DEMO_SCRIPT } from './task.js';

export interface DemoOptions {
  runner: RunnerName;
  /** Baton home for the demo's run; default: the user's, so the run shows in baton list afterwards. */
  home?: string;
  env?: NodeJS.ProcessEnv;
  onStarted?: (info: { id: string; repo: string; modelUrl: string; runner: RunnerName }) => void;
  onEvent?: (event: BriefEvent) => void;
  signal?: AbortSignal;
}

export interface DemoResult {
  repo: string;
  status: RunStatus;
  diff: BaselineDiff;
}

function initRepo(repo: string): void {
  for (const [path, content] of Object.entries(DEMO_FILES)) {
    mkdirSync(dirname(join(repo, path)), { recursive: true });
    writeFileSync(join(repo, path), content);
  }
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=Baton demo', '-c', 'user.email=demo@baton.invalid', ...args], { cwd: repo, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'greeter: initial commit');
}

/**
 * A real agent CLI against Baton's scripted model, start to end: fresh git repo, launch, live
 * events, verdict, diff. Needs no API key and no network.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const demo = getRunner(options.runner).demo;
  if (demo === undefined) throw usageError(`runner ${options.runner} has no demo`);
  const root = mkdtempSync(join(tmpdir(), 'baton-demo-'));
  const repo = join(root, 'greeter');
  mkdirSync(repo);
  initRepo(repo);
  const apiKey = randomBytes(12).toString('hex');
  const model = await startMockModel({ script: parseScript(DEMO_SCRIPT, 'demo script'), apiKey });
  const probe = new Baton({ ...(options.home && { home: options.home }), ...(options.env && { env: options.env }) });
  try {
    const sandbox = await prepareAgentSandbox({
      baseUrl: model.url,
      apiKey,
      root: join(root, 'agent'),
      // Reused between demos: opencode installs its plugin dependencies there once.
      shared: join(probe.home, 'agent-sandbox'),
      ohMyOpencode: demo.ohMyOpencode,
    });
    const baton = new Baton({ home: probe.home, env: { ...(options.env ?? process.env), ...sandbox.env } });
    try {
      const launched = await baton.run({
        runner: options.runner,
        dir: repo,
        prompt: DEMO_PROMPT,
        model: sandbox.model,
        name: 'demo',
        stallAfterMs: 60_000,
        timeoutMs: 5 * 60_000,
        ...(demo.agent !== undefined && { agent: demo.agent }),
      });
      options.onStarted?.({ id: launched.id, repo, modelUrl: model.url, runner: options.runner });
      const seen = new Set<string>();
      const report = (status: RunStatus) => {
        for (const event of status.recentEvents) {
          // A tool call shows once it has finished (its line ends in "…" while it runs).
          if (event.summary.endsWith(' …')) continue;
          const key = `${event.at}|${event.kind}|${event.summary}`;
          if (!seen.has(key)) {
            seen.add(key);
            options.onEvent?.(event);
          }
        }
      };
      const ticker = setInterval(() => report(baton.status([launched.id])[0]!), 250);
      try {
        await baton.wait([launched.id], { ...(options.signal && { signal: options.signal }) });
      } finally {
        clearInterval(ticker);
      }
      const status = baton.status([launched.id])[0]!;
      report(status);
      const diff = await baton.diff(launched.id);
      return { repo, status, diff };
    } finally {
      baton.close();
    }
  } finally {
    probe.close();
    await model.close();
  }
}
