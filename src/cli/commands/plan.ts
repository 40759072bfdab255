import { usageError } from '../../errors.js';
import type { PlanStatus } from '../../plans/service.js';
import { formatDuration } from '../../duration.js';
import { flag, stringOption } from '../args.js';
import type { CommandIo } from '../command.js';
import { defineCommand } from '../define.js';
import { rejectForeignOptions } from '../parse.js';
import { parseDurationOption } from './run.js';
import { planShortStatus, planStillGoing, workerWords } from '../../plan-report.js';
import { formatUsd } from '../../reasons.js';
import { overlapWarning, phaseDetails, stageWords, wavesText } from './plan-parallel-text.js';

const SUBCOMMANDS = ['run', 'status', 'wait', 'resume', 'stop', 'clean'] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];

/** plan wait's exit codes follow baton wait's: 0 completed, 3 blocked, 1 failed or stopped, 124 timeout. */
export function planExitCode(status: PlanStatus, timedOut: boolean): number {
  if (timedOut) return 124;
  if (status.state === 'completed') return 0;
  if (status.state === 'blocked') return 3;
  return status.state === 'running' ? 0 : 1;
}

function formatPlan(status: PlanStatus, io: CommandIo): string {
  const s = io.style;
  const spent = (cost: number, max: number | null) => (cost > 0 || max !== null ? s.dim(`${formatUsd(cost)}${max !== null ? ` of ${formatUsd(max)}` : ''}`) : '');
  const total = spent(status.cost, status.maxCost);
  const lines = [`${s.bold(status.id)}  ${s.state(status.state === 'blocked' ? 'incomplete' : status.state)} ${status.state === 'blocked' ? s.yellow('(blocked)') : ''}  ${status.project} · ${status.planFile}${total ? ` · ${total}` : ''}`];
  for (const reason of status.reasons) lines.push(`  ${s.yellow(`- ${reason}`)}`);
  for (const overlap of status.overlaps) lines.push(`  ${s.yellow(`! ${overlapWarning(overlap)}`)}`);
  for (const phase of status.phases) {
    const verify = phase.verification ? (phase.verification.passed ? s.green('verified') : s.red(`verify failed: ${phase.verification.command} (exit ${phase.verification.exitCode})`)) : '';
    const duration = phase.durationMs !== null ? formatDuration(phase.durationMs) : '';
    const late = phase.timing && (phase.timing.status === 'far-over' || phase.timing.status === 'over') && phase.state !== 'committed' ? s.yellow(` ${phase.timing.judgement}`) : '';
    const commit = phase.commitSha ? s.dim(phase.commitSha.slice(0, 10)) : '';
    const worker = phase.worker ? ` ${s.dim(`on ${workerWords(phase.worker)}`)}` : '';
    lines.push(`  ${phase.id.padEnd(6)} ${stageWords(phase).padEnd(10)} ${phase.title}  ${s.dim(`${phase.attempts} run(s)`)}${worker} ${duration}${late}${phase.cost > 0 || phase.maxCost !== null ? ` ${spent(phase.cost, phase.maxCost)}` : ''} ${verify} ${commit}`.trimEnd());
    const details = phaseDetails(phase);
    if (details) lines.push(`           ${s.dim(details)}`);
    // The phase's history: why a run was made the way it was (a worker lost, and when it was last seen).
    for (const run of phase.runs) if (run.note) lines.push(`           ${s.dim(`${run.kind} ${run.id}: ${run.note}`)}`);
    for (const reason of phase.reasons) lines.push(`           ${s.yellow(`- ${reason}`)}`);
  }
  return lines.join('\n');
}

// The library checks the range; here only that the text is a number at all, so the error quotes it.
function wholeNumber(text: string): number {
  if (!/^\d+$/.test(text.trim())) throw usageError(`expected a whole number from 1 to 32, got "${text}"`, { field: 'maxParallel' });
  return Number(text);
}

export const planCommand = defineCommand({
  name: 'plan',
  summary: 'multi-phase plans: an agent per phase, verified, one commit per phase',
  positionals: [],
  subcommands: SUBCOMMANDS.map((name) => ({ name, positionals: [name === 'run' ? { name: 'FILE' } : { name: 'PLANRUN', optional: true }] })),
  about: `plan run validates FILE (YAML; every error located as file:line:column field), lints every phase
prompt (baton prompt lint; errors refuse the plan unless --no-lint), returns a plan-run id
at once and drives the phases in the background: launch the agent, wait, resume it with Baton's
follow-up while it exits incomplete (up to maxResumes), run the verification commands in order and
feed the first failure back ("Fix these errors: …", up to maxFixes), then commit exactly the files
the phase changed as "Phase <id>: <title>" with Baton-Plan-Run / Baton-Phase trailers. A bound hit
stops the plan as blocked, with nothing of that phase committed; fix the cause, then plan resume.
Your own uncommitted changes are never committed and never lost. Without PLANRUN: the latest.

A phase may declare needs: [ids]. With maxParallel above 1 (the plan's key or --max-parallel),
phases whose needs are all committed run side by side, each in its own git worktree on a branch
baton/<plan-run>/<phase>, and are merged back one at a time in order, verified again on the
result; a conflict is handed back to the phase's agent (up to maxFixes), else the phase blocks and
keeps its worktree. Without needs, or at maxParallel 1, phases run one at a time in your checkout.
With a cluster configured (BATON_REDIS_URL, see baton worker), every phase gets a worktree and its
agent runs on a worker; verification and merging stay here. --local keeps the plan on this machine.

plan wait exits 0 completed, 3 blocked, 1 failed or stopped, 124 on --timeout.

plan clean lists, then removes, the phase worktrees ($BATON_HOME/worktrees/PLANRUN/) and branches
(baton/PLANRUN/*) a stopped, blocked or failed parallel plan left; refused while the plan runs.`,
  options: [
    { name: 'from', value: 'ID', of: ['run'], description: 'start at phase ID; the phases before it are skipped' },
    { name: 'only', value: 'ID,ID', of: ['run'], description: 'run only these phases' },
    { name: 'dry-run', of: ['run', 'clean'], description: 'plan run: validate the plan and show its phases, launch nothing;\nplan clean: list what it would remove, remove nothing' },
    { name: 'allow-detached', of: ['run'], description: 'start even on a detached HEAD' },
    { name: 'no-lint', of: ['run'], description: 'launch even when a phase prompt has lint errors' },
    { name: 'no-lock', of: ['run'], description: 'neither take nor respect the one-plan-per-repository lock' },
    { name: 'on-complete', value: 'CMD', of: ['run'], description: 'run CMD when the plan completes' },
    { name: 'on-blocked', value: 'CMD', of: ['run'], description: 'run CMD when the plan blocks' },
    { name: 'max-parallel', value: 'N', of: ['run'], description: "phases that may run at once, 1-32 (overrides the plan's maxParallel)" },
    { name: 'local', of: ['run'], description: 'with a cluster configured, run the phases on this machine all the same (kept by plan resume)' },
    { name: 'timeout', value: 'DUR', of: ['wait'], description: 'stop waiting after DUR (exit 124); the plan goes on' },
  ],
  json: 'print the plan status (plan run: the plan-run id and its phases; plan wait adds "timedOut";\nplan clean: {id, worktrees, branches, removed})',
  more: `--on-complete / --on-blocked run a command (split like shell words, never through a shell) when the
plan ends that way, with {"plan": <plan status>, "phase": <the blocked phase>} as JSON on stdin.

A plan:
  project: quarry
  dir: .                       # relative to the plan file
  defaults: { runner: omo, agent: hephaestus, verify: ["cargo check --workspace"], maxResumes: 2, maxFixes: 2 }
  phases:
    - { id: "5", title: Integration tests, promptFile: prompts/phase5.txt, files: [crates/x/tests/y.rs] }
    - { id: "6", title: CLI, prompt: "…inline prompt…", verify: ["cargo test -p quarry-cli"] }
  order: ["6", "5"]            # optional; default: file order`,
}, {
  async run(args, io, baton) {
    const [sub, ...rest] = args.positionals;
    if (!sub || !(SUBCOMMANDS as readonly string[]).includes(sub)) throw usageError(`baton plan needs one of: ${SUBCOMMANDS.join(', ')}`);
    const subcommand = sub as Subcommand;
    rejectForeignOptions(planCommand.definition, args, subcommand);
    if (rest.length > 1) throw usageError(`baton plan ${subcommand} takes one ${subcommand === 'run' ? 'plan file' : 'plan run id'}`);
    const { Plans } = await import('../../plans/service.js');
    const plans = new Plans(baton());
    const ref = rest[0];
    switch (subcommand) {
      case 'run': {
        if (!ref) throw usageError('baton plan run needs a plan FILE');
        const only = stringOption(args, 'only')?.split(',').map((x) => x.trim()).filter(Boolean);
        const from = stringOption(args, 'from');
        const maxParallel = stringOption(args, 'max-parallel');
        const started = await plans.start(ref, {
          ...(from !== undefined && { from }),
          ...(only && { only }),
          dryRun: flag(args, 'dry-run'),
          allowDetached: flag(args, 'allow-detached'),
          noLint: flag(args, 'no-lint'),
          noLock: flag(args, 'no-lock'),
          local: flag(args, 'local'),
          ...(stringOption(args, 'on-complete') !== undefined && { onComplete: stringOption(args, 'on-complete')! }),
          ...(stringOption(args, 'on-blocked') !== undefined && { onBlocked: stringOption(args, 'on-blocked')! }),
          ...(maxParallel !== undefined && { maxParallel: wholeNumber(maxParallel) }),
        });
        const order = started.phases.map((p) => `${p.skipped ? io.style.dim(`(${p.id})`) : p.id}`).join(' → ');
        const text = started.id
          ? `${io.style.bold(started.id)} ${io.style.state('running')} · phases ${order}\n${io.style.dim(`next: baton plan wait ${started.id} · baton plan status ${started.id}`)}`
          : `plan is valid · phases ${order}\n${started.phases.map((p) => `  ${p.id}: ${p.title} (${[p.runner, p.agent].filter(Boolean).join('/')}${p.verify.length ? `; verify: ${p.verify.join(' then ')}` : ''}${p.needs.length ? `; needs ${p.needs.join(', ')}` : ''})${p.skipped ? ' [skipped]' : ''}`).join('\n')}${started.waves ? `\n${wavesText(started.waves, started.maxParallel)}` : ''}${started.overlaps.map((o) => `\n${io.style.yellow(`! ${overlapWarning(o)}`)}`).join('')}`;
        return { exitCode: 0, json: started, text };
      }
      case 'status': {
        const status = plans.status(ref);
        return { exitCode: 0, json: status, text: formatPlan(status, io) };
      }
      case 'wait': {
        const timeout = stringOption(args, 'timeout');
        const { timedOut, status } = await plans.wait(ref, {
          ...(timeout !== undefined && { timeoutMs: parseDurationOption('--timeout', timeout) }),
          signal: io.signal,
          ...(!io.json && io.stderr.isTTY && { onChange: (s: PlanStatus) => io.stderr.write(`${s.phases.map((p) => `${p.id}:${p.state}`).join(' ')}\n`) }),
        });
        // The plan's short status, or a line while it goes on: what a lead reads when the background wait exits.
        return { exitCode: planExitCode(status, timedOut), json: { timedOut, ...status }, text: timedOut ? `not done (--timeout passed; the plan goes on): ${planStillGoing(status)}` : planShortStatus(status) };
      }
      case 'resume': {
        const status = await plans.resume(ref);
        return { exitCode: 0, json: status, text: formatPlan(status, io) };
      }
      case 'stop': {
        const status = await plans.stop(ref);
        return { exitCode: 0, json: status, text: formatPlan(status, io) };
      }
      case 'clean': {
        const dryRun = flag(args, 'dry-run');
        const listing = (left: { worktrees: string[]; branches: string[] }) => [...left.worktrees.map((w) => `  worktree ${w}`), ...left.branches.map((b) => `  branch   ${b}`)].join('\n');
        const cleaned = await plans.clean(ref, { dryRun, ...(!io.json && { onListed: (left) => io.stdout.write(`removing what plan run ${left.id} left:\n${listing(left)}\n`) }) });
        const found = cleaned.worktrees.length + cleaned.branches.length > 0;
        const text = !found ? `nothing to clean for plan run ${cleaned.id}` : dryRun ? `would remove what plan run ${cleaned.id} left:\n${listing(cleaned)}` : io.style.dim('removed');
        return { exitCode: 0, json: cleaned, text };
      }
    }
  },
});
