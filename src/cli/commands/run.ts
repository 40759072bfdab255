import { parseDuration } from '../../duration.js';
import { usageError } from '../../errors.js';
import { DEFAULT_RUNNER, RUNNER_NAMES, RUNNERS } from '../../runners/registry.js';
import { defineCommand } from '../define.js';
import type { RunnerOptions } from '../../runners/types.js';
import { MAX_REF_CHARS, stringOption } from '../args.js';

export const runCommand = defineCommand({
  name: 'run',
  summary: 'launch an agent in the background; prints its run id at once',
  positionals: [{ name: 'PROMPT', optional: true }],
  usage: ['baton run [options] --prompt-file FILE', 'baton run [options] [--] PROMPT'],
  about: `Launches an agent CLI detached from this terminal, under Baton's supervision, and returns at once.
The prompt is passed to the agent as one argument (never through a shell); output is kept byte for
byte in a log file (mode 0600). A prompt that starts with "-" goes after --, or it is read as an option.`,
  options: [
    { name: 'runner', value: 'NAME', description: RUNNER_NAMES.join(' | '), whenAbsent: `${DEFAULT_RUNNER} = ${RUNNERS[DEFAULT_RUNNER].binary} run` },
    { name: 'agent', value: 'NAME', description: 'agent to use, e.g. hephaestus, sisyphus, oracle, explore, prometheus' },
    { name: 'model', value: 'ID', description: 'provider/model, e.g. anthropic/claude-sonnet-4' },
    { name: 'name', value: 'LABEL', description: 'a label to find the run by (baton status LABEL)' },
    { name: 'dir', value: 'DIR', description: 'the project directory the agent works in', whenAbsent: 'the current directory' },
    { name: 'prompt-file', value: 'FILE', description: 'read the prompt from FILE' },
    { name: 'stall-after', value: 'DUR', description: 'no new output for DUR marks the run stalled', whenAbsent: '5m' },
    { name: 'timeout', value: 'DUR', description: 'kill the run after DUR and mark it failed', whenAbsent: 'none' },
    { name: 'runner-option', value: 'K=V', repeatable: true, description: 'a runner-specific setting; see README, Runners' },
    { name: 'no-lock', description: 'launch even while a plan is running in the same repository' },
    { name: 'max-cost', value: 'USD', description: 'end the run failed once the cost its runner reports passes this (opencode, omo and claude report costs)' },
    { name: 'local', description: 'run it on this machine even though a cluster is configured (BATON_REDIS_URL, cluster.redis)' },
    { name: 'remote', value: 'URL', description: 'with a cluster: the git remote every worker can reach; the HEAD of --dir is pushed there', whenAbsent: 'the origin of --dir' },
    { name: 'ignore-limit-breaker', description: 'start even while another run of this runner and provider hit a usage limit that has not lifted yet (else it waits, queued)' },
  ],
  json: `print {"id","state","pid","log"} and nothing else (pid is null while the
agent is still starting; baton status shows it)`,
  more: `Durations: 90s, 5m, 2h, 1h30m, 3d, 2w (from 1ms to 366d).

Examples:
  baton run --agent hephaestus --dir ~/repo --prompt-file /tmp/phase5.txt --name phase-5
  baton run --runner opencode --dir . "Add a --verbose flag to src/cli.ts and run npm test"
  baton run --dir . -- "-n in baton tail should accept 0; fix it and run npm test"`,
}, {
  async run(args, io, baton) {
    const runner = stringOption(args, 'runner');
    if (args.positionals.length > 1) {
      throw usageError('give the prompt as one argument (quote it) or use --prompt-file FILE');
    }
    const stallAfter = stringOption(args, 'stall-after');
    const timeout = stringOption(args, 'timeout');
    const agent = stringOption(args, 'agent');
    const model = stringOption(args, 'model');
    const name = stringOption(args, 'name');
    if (name !== undefined && name.length > MAX_REF_CHARS) throw usageError(`--name is at most ${MAX_REF_CHARS} characters, so that it can name the run later; got ${name.length}`);
    const promptFile = stringOption(args, 'prompt-file');
    const prompt = args.positionals[0];
    const launched = await baton().run({
      ...(runner !== undefined && { runner }),
      dir: stringOption(args, 'dir') ?? process.cwd(),
      ...(agent !== undefined && { agent }),
      ...(model !== undefined && { model }),
      ...(name !== undefined && { name }),
      ...(promptFile !== undefined && { promptFile }),
      ...(prompt !== undefined && { prompt }),
      ...(stallAfter !== undefined && { stallAfterMs: parseDurationOption('--stall-after', stallAfter) }),
      ...(timeout !== undefined && { timeoutMs: parseDurationOption('--timeout', timeout) }),
      runnerOptions: parseRunnerOptions(args.values['runner-option']),
      ignoreRepoLock: args.values['no-lock'] === true,
      ignoreLimitBreaker: args.values['ignore-limit-breaker'] === true,
      local: args.values.local === true,
      ...(stringOption(args, 'remote') !== undefined && { remote: stringOption(args, 'remote')! }),
      ...(stringOption(args, 'max-cost') !== undefined && { maxCost: Number(stringOption(args, 'max-cost')) }),
    });
    const s = io.style;
    return {
      exitCode: 0,
      json: launched,
      text: [
        `${s.bold(launched.id)} ${s.state(launched.state)} · ${launched.pid === null ? 'agent starting' : `pid ${launched.pid}`} · log ${launched.log}`,
        s.dim(`next: baton wait ${launched.id} · baton status ${launched.id} · baton tail ${launched.id} -f`),
      ].join('\n'),
    };
  },
});

/** `--runner-option key=value`, repeatable; a key given twice collects its values in a list. */
export function parseRunnerOptions(raw: unknown): RunnerOptions {
  const options: RunnerOptions = {};
  for (const item of Array.isArray(raw) ? (raw as string[]) : []) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw usageError(`--runner-option takes key=value, got "${item}"`);
    const key = item.slice(0, eq);
    const value = item.slice(eq + 1);
    const previous = options[key];
    options[key] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
  }
  return options;
}

export function parseDurationOption(flag: string, value: string): number {
  try {
    return parseDuration(value);
  } catch (error) {
    throw usageError(`${flag}: ${(error as Error).message}`);
  }
}
