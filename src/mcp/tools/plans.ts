import type { ToolTable } from '../tool-table.js';
import { z } from 'zod';
import type { Baton } from '../../baton.js';
import { planShortStatus, planStillGoing } from '../../plan-report.js';
import { Plans, type PlanStatus } from '../../plans/service.js';
import { LIMITS, name, path, strictInput } from '../input.js';
import { guarded, textResult, toolResult } from '../result.js';
import { WAIT_DEFAULT_SECONDS, WAIT_MAX_SECONDS } from './runs.js';

const planId = () => name().optional().describe('default: the latest');

function planReport(status: PlanStatus): string {
  const next =
    status.state === 'running' ? 'next: plan_wait' : status.state === 'completed' ? '' : status.state === 'blocked' || status.state === 'failed' || status.state === 'stopped' ? 'next: remove the cause, then plan_resume' : '';
  return [planShortStatus(status), next].filter(Boolean).join('\n');
}

export function registerPlanTools(tools: ToolTable, baton: Baton): void {
  const plans = new Plans(baton);

  tools.register(
    'plan_run',
    {
      description: 'Start a multi-phase plan YAML (an agent per phase, verified, resumed, committed); returns at once. Then plan_wait.',
      inputSchema: strictInput({
        file: path(),
        from: name().optional(),
        only: z.array(name()).max(LIMITS.list).optional(),
        dryRun: z.boolean().optional(),
        allowDetached: z.boolean().optional(),
        noLint: z.boolean().optional(),
        noLock: z.boolean().optional(),
        maxParallel: z.number().int().min(1).max(32).optional(),
        local: z.boolean().optional(),
      }),
    },
    (input) =>
      guarded('plan_run', async () => {
        const { file, ...options } = input;
        const started = await plans.start(file, Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)));
        const phases = started.phases.map((p) => (p.skipped ? `(${p.id})` : p.id)).join(' → ');
        const waves = started.waves ? `; waves: ${started.waves.map((wave) => wave.join(' + ')).join(' → ')}` : '';
        return textResult(started.id ? `plan ${started.id} started: ${phases}; next: plan_wait` : `dry run, valid: ${started.phases.map((p) => `${p.id} ${p.title} (${[p.runner, p.agent].filter(Boolean).join('/')})${p.needs.length ? ` needs ${p.needs.join(', ')}` : ''}${p.skipped ? ' skipped' : ''}`).join('; ')}${waves}`);
      }),
  );

  tools.register(
    'plan_wait',
    {
      description: `Block up to ${WAIT_DEFAULT_SECONDS} s for a plan run to end. Not done: one line, call again. Done: its short status.`,
      inputSchema: strictInput({ id: planId(), timeoutSeconds: z.number().positive().max(WAIT_MAX_SECONDS).optional() }),
    },
    (input, extra) =>
      guarded('plan_wait', async () => {
        const { timedOut, status } = await plans.wait(input.id, { timeoutMs: (input.timeoutSeconds ?? WAIT_DEFAULT_SECONDS) * 1000, signal: extra.signal });
        return textResult(timedOut ? `not done: ${planStillGoing(status)}` : `done: ${planReport(status)}`);
      }),
  );

  tools.register(
    'plan_status',
    {
      description: 'Short status of a plan run; detail "full" adds the whole record as JSON.',
      inputSchema: strictInput({ id: planId(), detail: z.enum(['brief', 'full']).optional() }),
    },
    (input) =>
      guarded('plan_status', () => {
        const status = plans.status(input.id);
        return input.detail === 'full' ? toolResult(planReport(status), { ...status }) : textResult(planReport(status));
      }),
  );

  tools.register(
    'plan_resume',
    {
      description: 'Continue a blocked, stopped or crashed plan run; returns at once. Then plan_wait.',
      inputSchema: strictInput({ id: planId() }),
    },
    (input) =>
      guarded('plan_resume', async () => {
        const status = await plans.resume(input.id);
        return textResult(planReport(status));
      }),
  );
}
