import type { RunStatus } from '../../report.js';
import { requireIds, stringOption } from '../args.js';
import { defineCommand } from '../define.js';
import { formatBrief } from '../../present/brief.js';
import { stillGoing } from '../../still-going.js';
import { parseDurationOption } from './run.js';

export const EXIT = { completed: 0, failed: 1, usage: 2, incomplete: 3, limited: 4, timeout: 124 } as const;

/** The worst outcome among the runs decides the exit code. */
export function exitCodeFor(runs: RunStatus[], timedOut: boolean): number {
  if (timedOut) return EXIT.timeout;
  if (runs.some((r) => r.state === 'failed' || r.state === 'killed')) return EXIT.failed;
  if (runs.some((r) => r.state === 'limited')) return EXIT.limited;
  if (runs.some((r) => r.state === 'incomplete')) return EXIT.incomplete;
  return EXIT.completed;
}

export const waitCommand = defineCommand({
  name: 'wait',
  summary: 'block until runs end; exit 0 completed, 3 incomplete, 4 limited, 1 failed/killed, 124 timeout',
  positionals: [{ name: 'ID', repeatable: true }],
  about: `Returns within a fraction of a second of the last run ending. Exit codes:
  0   completed          3   incomplete (exited early; see reasons, then baton resume)
  1   failed or killed   4   limited (a usage/rate limit cut it off; see limitResetAt)
  124 --timeout passed first (the runs keep going)
  2   usage error`,
  options: [{ name: 'timeout', value: 'DUR', description: 'stop waiting after DUR (exit 124); the runs go on' }],
  json: 'print {"timedOut","exitCode","runs":[…]} (runs as baton status --json)',
  more: 'Run it in a background shell instead of sleep-polling:  baton wait k3x9 && git commit …',
}, {
  async run(args, io, baton) {
    const ids = requireIds(args, 'wait');
    const timeout = stringOption(args, 'timeout');
    const showProgress = !io.json && Boolean(io.stderr.isTTY);
    const result = await baton().wait(ids, {
      ...(timeout !== undefined && { timeoutMs: parseDurationOption('--timeout', timeout) }),
      signal: io.signal,
      ...(showProgress && {
        onChange: (s: RunStatus) => io.stderr.write(`${io.errStyle.dim(new Date().toISOString().slice(11, 19))} ${s.id} ${io.errStyle.state(s.state)}\n`),
      }),
    });
    const exitCode = exitCodeFor(result.runs, result.timedOut);
    return {
      exitCode,
      json: { timedOut: result.timedOut, exitCode, runs: result.runs },
      // A lead reads this when the background wait exits: the brief once the runs end, a line otherwise.
      text: result.timedOut
        ? `${io.style.yellow('not done')} (--timeout passed; the runs go on): ${result.runs.map((s) => (s.state === 'running' || s.state === 'stalled' ? stillGoing(s, undefined) : `${s.id} ${s.state}`)).join('; ')}`
        : result.runs.map((s) => formatBrief(s, io.style)).join('\n\n'),
    };
  },
});
