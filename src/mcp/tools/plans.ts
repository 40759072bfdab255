import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { Baton } from '../../baton.js';
import { Plans, type PlanStatus } from '../../plans/service.js';
import { formatDuration } from '../../duration.js';
import { guarded, toolResult } from '../result.js';
import { planStatusSchema } from '../schemas.js';

const planId = z.string().min(1).optional().describe('plan-run id or unique prefix; default: the latest plan run');

function planBrief(status: PlanStatus): string {
  const lines = [`plan ${status.id}  ${status.state}  ${status.project}  (${status.planFile})${status.driverAlive ? '' : status.state === 'running' ? '  driver not running' : ''}`];
  for (const reason of status.reasons) lines.push(`  - ${reason}`);
  for (const phase of status.phases) {
    const run = phase.runs.at(-1);
    const bits = [
      phase.durationMs !== null ? formatDuration(phase.durationMs) : null,
      phase.resumes ? `${phase.resumes} resume(s)` : null,
      phase.fixes ? `${phase.fixes} fix(es)` : null,
      run ? `run ${run.id}` : null,
      phase.verification ? (phase.verification.passed ? 'verified' : `verification failed${phase.verification.command ? `: ${phase.verification.command}` : ''}`) : null,
      phase.commitSha ? `commit ${phase.commitSha.slice(0, 10)}` : null,
    ].filter(Boolean);
    lines.push(`  ${phase.id.padEnd(4)} ${phase.state.padEnd(10)} ${phase.title}${bits.length ? `  · ${bits.join(' · ')}` : ''}`);
    for (const reason of phase.reasons) lines.push(`         - ${reason}`);
  }
  if (status.state === 'running') lines.push('next: plan_status again later, or status / wait on the current run id');
  else if (status.state === 'blocked' || status.state === 'failed' || status.state === 'stopped') lines.push('next: remove the cause, then plan_resume');
  return lines.join('\n');
}

export function registerPlanTools(server: McpServer, baton: Baton): void {
  const plans = new Plans(baton);

  server.registerTool(
    'plan_run',
    {
      title: 'Start a multi-phase plan',
      description:
        'Validates a plan YAML, lints its phase prompts and starts a detached driver that runs one agent per phase, verifies, resumes and commits each phase; returns the plan-run id at once. Follow it with plan_status.',
      inputSchema: {
        file: z.string().min(1).describe('path of the plan YAML'),
        from: z.string().min(1).optional().describe('start at this phase id'),
        only: z.array(z.string().min(1)).optional().describe('run only these phase ids'),
        dryRun: z.boolean().optional().describe('validate and show the phases, start nothing'),
        allowDetached: z.boolean().optional(),
        noLint: z.boolean().optional(),
        noLock: z.boolean().optional(),
      },
      outputSchema: {
        id: z.string().nullable(),
        state: z.string(),
        phases: z.array(z.looseObject({ id: z.string(), title: z.string(), runner: z.string(), verify: z.array(z.string()), skipped: z.boolean() })),
      },
    },
    (input) =>
      guarded('plan_run', async () => {
        const { file, ...options } = input;
        const started = await plans.start(file, Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)));
        const phases = started.phases.map((p) => `  ${p.id.padEnd(4)} ${p.skipped ? 'skip' : '    '} ${p.title} (${[p.runner, p.agent].filter(Boolean).join('/')})`).join('\n');
        const head = started.id ? `plan run ${started.id} started; next: plan_status {"id":"${started.id}"}` : 'dry run: the plan is valid; nothing started';
        return toolResult(`${head}\n${phases}`, { ...started });
      }),
  );

  server.registerTool(
    'plan_status',
    {
      title: 'Status of a plan run',
      description: 'Per phase: state, runs, resumes, fixes, duration, verification, commit. Cheap; call it instead of reading logs.',
      inputSchema: { id: planId },
      outputSchema: planStatusSchema,
      annotations: { readOnlyHint: true },
    },
    (input) =>
      guarded('plan_status', () => {
        const status = plans.status(input.id);
        return toolResult(planBrief(status), { ...status });
      }),
  );

  server.registerTool(
    'plan_resume',
    {
      title: 'Resume a plan run',
      description: 'Continues a blocked, stopped or crashed plan run where it stopped (a blocked phase gets fresh bounds); returns at once.',
      inputSchema: { id: planId },
      outputSchema: planStatusSchema,
    },
    (input) =>
      guarded('plan_resume', async () => {
        const status = await plans.resume(input.id);
        return toolResult(planBrief(status), { ...status });
      }),
  );
}
