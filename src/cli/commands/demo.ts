import { usageError } from '../../errors.js';
import { checkRunnerName, DEFAULT_RUNNER, DEMO_RUNNERS, RUNNERS } from '../../runners/registry.js';
import { stringOption } from '../args.js';
import { defineCommand } from '../define.js';
import { formatFullBrief } from '../../present/brief.js';
import { exitCodeFor } from './wait.js';

export const demoCommand = defineCommand({
  name: 'demo',
  summary: 'run a real agent against the scripted model in a temp repo (no API key)',
  positionals: [],
  about: `Creates a small git repo in a temp dir, starts Baton's scripted model on 127.0.0.1, and launches a
real agent CLI (oh-my-opencode's hephaestus by default) on a one-phase task through baton run. You
see its events live, then the brief, the files it changed and what to try next. The run stays in
your Baton store, so baton status / tail / export work on it afterwards.`,
  options: [{ name: 'runner', value: DEMO_RUNNERS.join('|'), description: 'the agent CLI to run', whenAbsent: DEFAULT_RUNNER }],
  json: 'print {"repo","status","changes"} once the run ends',
}, {
  async run(args, io) {
    const runner = checkRunnerName(stringOption(args, 'runner') ?? DEFAULT_RUNNER);
    const demo = RUNNERS[runner].demo;
    if (demo === undefined) throw usageError(`the demo runs ${DEMO_RUNNERS.join(' or ')}, not "${runner}"`);
    const progress = io.json ? undefined : io.stderr;
    const e = io.errStyle;
    const startedAt = Date.now();
    const { runDemo } = await import('../../demo/run-demo.js');
    const result = await runDemo({
      runner,
      env: io.env,
      signal: io.signal,
      onStarted: ({ id, repo, modelUrl }) =>
        progress?.write(
          `${e.bold('baton demo')} · scripted model at ${modelUrl}\n  repo ${repo}\n  run  ${e.bold(id)} (${runner}${demo.agent !== undefined ? `/${demo.agent}` : ''}) · agent starting…\n`,
        ),
      onEvent: (event) => {
        const clock = e.dim(`+${((Date.now() - startedAt) / 1000).toFixed(1)}s`.padStart(7));
        progress?.write(`${clock} ${event.kind === 'error' ? e.red(event.summary) : event.summary}\n`);
      },
    });
    const { status, diff } = result;
    const s = io.style;
    const text = [
      '',
      formatFullBrief(status, s),
      '',
      s.bold('files changed (baton diff):'),
      ...diff.changes.map((c) => `  ${c.change === 'added' ? s.green('A') : c.change === 'deleted' ? s.red('D') : s.yellow('M')} ${c.path}`),
      '',
      s.bold('try next:'),
      `  baton status ${status.id}          the brief again (add --json for the fields)`,
      `  baton tail ${status.id} -n 30      the agent's own output`,
      `  baton diff ${status.id} --patch    what it wrote`,
      `  baton export ${status.id} | head   the whole session as JSON`,
      `  baton run --agent hephaestus --dir <your repo> --prompt-file phase.txt   with your own model`,
    ].join('\n');
    return {
      exitCode: exitCodeFor([status], false),
      json: { repo: result.repo, status, changes: diff.changes },
      text,
    };
  },
});
