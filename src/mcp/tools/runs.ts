import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { Baton } from '../../baton.js';
import { MAX_DURATION_MS } from '../../duration.js';
import { formatBrief, formatFullBrief, oneLine, unreportedError } from '../../cli/format.js';
import { describeError, type RunStatus } from '../../report.js';
import { RUN_STATES } from '../../store/runs.js';
import { clip, guarded, plain, toolResult } from '../result.js';
import { launchSchema, runRowSchema, runStateSchema, runSummarySchema, type RunSummary } from '../schemas.js';
import { summariseSession } from '../session-summary.js';

/** Claude Code gives an MCP call about 60 s; a wait must answer well before that. */
export const WAIT_DEFAULT_SECONDS = 45;
export const WAIT_MAX_SECONDS = 55;
const PROGRESS_EVERY_MS = 5_000;
const TAIL_DEFAULT = 40;
const TAIL_MAX = 200;
const TAIL_LINE_CHARS = 500;
const PATCH_DEFAULT_CHARS = 20_000;

const runId = z.string().min(1).describe('run id, unique id prefix, or --name label');

const briefs = (runs: RunStatus[]) => runs.map((s) => formatBrief(s, plain)).join('\n\n');

const FILES_SHOWN = 20;
const FINAL_CHARS = 100;

/** The bounded view of a run every briefing tool returns as structured content. */
export function summariseRun(s: RunStatus, detail: 'brief' | 'full' = 'brief'): RunSummary {
  const dirPrefix = `${s.dir}/`;
  const active = s.state === 'running' || s.state === 'stalled';
  const lastError = unreportedError(s);
  const brief: RunSummary = {
    id: s.id,
    ...(s.name !== null && { name: s.name }),
    state: s.state,
    reasons: s.reasons.map((r) => clip(r, 300)),
    sessionId: s.sessionId,
    exitCode: s.exitCode,
    elapsedMs: s.elapsedMs,
    outputLines: s.outputLines,
    ...(active && s.idleMs !== null && { idleMs: s.idleMs }),
    ...(s.retrying !== null && { retrying: s.retrying }),
    ...(s.limitResetAt !== null && { limitResetAt: s.limitResetAt }),
    filesChanged: s.filesChanged.slice(0, FILES_SHOWN).map((f) => (f.startsWith(dirPrefix) ? f.slice(dirPrefix.length) : f)),
    ...(lastError !== null && { lastError: clip(lastError, 200) }),
    finalMessage: s.finalMessage === null ? null : detail === 'full' ? clip(s.finalMessage.trim(), 2_000) : oneLine(s.finalMessage, FINAL_CHARS),
    ...(s.followUp !== null ? { next: 'resume' as const } : active ? { next: 'wait' as const } : {}),
  };
  if (detail === 'brief') return brief;
  const lastCommand = s.commands.at(-1);
  return {
    ...brief,
    runner: s.runner,
    agent: s.agent,
    model: s.model,
    dir: s.dir,
    toolCounts: Object.fromEntries(Object.entries(s.toolCounts).filter((e): e is [string, number] => typeof e[1] === 'number')),
    lastErrors: s.errors.slice(-3).map((e) => clip(describeError(e), 200)),
    lastCommand: lastCommand ? clip(`${lastCommand.command} (${lastCommand.exitCode !== undefined ? `exit ${lastCommand.exitCode}` : lastCommand.status})`, 200) : null,
    followUp: s.followUp === null ? null : clip(s.followUp, 2_000),
    parentId: s.parentId,
  };
}

function row(s: RunStatus): z.infer<typeof runRowSchema> {
  return { id: s.id, name: s.name, state: s.state, runner: s.runner, agent: s.agent, dir: s.dir, startedAt: s.startedAt, elapsedMs: s.elapsedMs, outputLines: s.outputLines, reasons: s.reasons };
}

export function registerRunTools(server: McpServer, baton: Baton): void {
  server.registerTool(
    'run',
    {
      title: 'Launch an agent run',
      description:
        'Launches a coding agent (oh-my-opencode by default) detached and returns its run id at once; then call wait (repeatedly while done is false) and status. Give the prompt inline or as promptFile; a "## Files to Create/Modify" section and a verification step let Baton judge completion.',
      inputSchema: {
        prompt: z.string().min(1).optional().describe('the task, sent verbatim to the agent'),
        promptFile: z.string().min(1).optional().describe('a file holding the prompt (instead of prompt)'),
        dir: z.string().min(1).optional().describe("the agent's working directory; default: the MCP server's cwd"),
        runner: z.enum(['omo', 'opencode', 'claude', 'codex', 'cmd']).optional().describe('agent CLI; default omo (oh-my-opencode)'),
        agent: z.string().min(1).optional().describe('e.g. hephaestus, sisyphus, oracle, explore (see route)'),
        model: z.string().min(1).optional(),
        name: z.string().min(1).optional().describe('a label to refer to the run by'),
        stallAfterSeconds: z.number().positive().max(MAX_DURATION_MS / 1000).optional().describe('no output this long marks the run stalled (default 300)'),
        timeoutSeconds: z.number().positive().max(MAX_DURATION_MS / 1000).optional().describe('kill the run after this long (default: none)'),
        runnerOptions: z.record(z.string(), z.union([z.string(), z.array(z.string())])).optional().describe('runner-specific settings, e.g. {"permissionMode":"acceptEdits"}'),
        noLock: z.boolean().optional().describe('launch even while a plan holds the repository'),
      },
      outputSchema: launchSchema,
    },
    (input) =>
      guarded('run', async () => {
        const launched = await baton.run({
          dir: input.dir ?? process.cwd(),
          ...(input.prompt !== undefined && { prompt: input.prompt }),
          ...(input.promptFile !== undefined && { promptFile: input.promptFile }),
          ...(input.runner !== undefined && { runner: input.runner }),
          ...(input.agent !== undefined && { agent: input.agent }),
          ...(input.model !== undefined && { model: input.model }),
          ...(input.name !== undefined && { name: input.name }),
          ...(input.stallAfterSeconds !== undefined && { stallAfterMs: input.stallAfterSeconds * 1000 }),
          ...(input.timeoutSeconds !== undefined && { timeoutMs: input.timeoutSeconds * 1000 }),
          ...(input.runnerOptions !== undefined && { runnerOptions: input.runnerOptions }),
          ...(input.noLock === true && { ignoreRepoLock: true }),
        });
        return toolResult(`launched run ${launched.id} (${launched.state}, pid ${launched.pid ?? '?'}). Next: wait {"ids":["${launched.id}"]}, then status.`, { ...launched });
      }),
  );

  server.registerTool(
    'status',
    {
      title: 'Brief of runs',
      description:
        'The brief of each run: state and reasons, session, files changed, last error, final message, next move. Cheap: reads the store, never the log. No ids: active runs plus the latest finished one. detail "full" adds dir, model, tool counts, last command and the follow-up resume would send.',
      inputSchema: {
        ids: z.array(runId).max(20).optional(),
        detail: z.enum(['brief', 'full']).optional().describe('brief (default) or full'),
      },
      outputSchema: { runs: z.array(runSummarySchema) },
      annotations: { readOnlyHint: true },
    },
    (input) =>
      guarded('status', () => {
        const runs = baton.status(input.ids ?? []);
        const detail = input.detail ?? 'brief';
        const text = runs.map((r) => (detail === 'full' ? formatFullBrief : formatBrief)(r, plain)).join('\n\n');
        return toolResult(runs.length === 0 ? 'no runs yet; start one with the run tool' : text, { runs: runs.map((r) => summariseRun(r, detail)) });
      }),
  );

  server.registerTool(
    'wait',
    {
      title: 'Wait for runs to end',
      description: `Blocks up to ${WAIT_DEFAULT_SECONDS} s (timeoutSeconds, at most ${WAIT_MAX_SECONDS}) for runs to end; call again while done is false instead of sleeping. Returns each run's brief; incomplete runs can be continued with resume.`,
      inputSchema: {
        ids: z.array(runId).min(1).max(20),
        timeoutSeconds: z.number().positive().max(WAIT_MAX_SECONDS).optional().describe(`default ${WAIT_DEFAULT_SECONDS}, at most ${WAIT_MAX_SECONDS}`),
      },
      outputSchema: { done: z.boolean(), waitedMs: z.number(), runs: z.array(runSummarySchema) },
      annotations: { readOnlyHint: true },
    },
    (input, extra) =>
      guarded('wait', async () => {
        const timeoutMs = (input.timeoutSeconds ?? WAIT_DEFAULT_SECONDS) * 1000;
        const started = Date.now();
        const progressToken = extra._meta?.progressToken;
        let progressSent = 0;
        const progress = (message: string) => {
          if (progressToken === undefined) return;
          // Progress must grow with every notification; elapsed seconds (plus a tie-breaker) do.
          const value = Math.max(progressSent + 0.001, (Date.now() - started) / 1000);
          progressSent = value;
          void extra
            .sendNotification({ method: 'notifications/progress', params: { progressToken, progress: value, total: timeoutMs / 1000, message } })
            .catch(() => undefined);
        };
        const ticker = progressToken === undefined ? undefined : setInterval(() => progress(`waiting ${Math.round((Date.now() - started) / 1000)} s`), PROGRESS_EVERY_MS);
        try {
          const result = await baton.wait(input.ids, {
            timeoutMs,
            signal: extra.signal,
            onChange: (s) => progress(`${s.id} ${s.state}`),
          });
          const done = !result.timedOut;
          const head = done ? 'done: every run has ended.' : `not done after ${Math.round((Date.now() - started) / 1000)} s: the runs go on; call wait again.`;
          return toolResult(`${head}\n\n${briefs(result.runs)}`, { done, waitedMs: Date.now() - started, runs: result.runs.map((r) => summariseRun(r)) });
        } finally {
          if (ticker) clearInterval(ticker);
        }
      }),
  );

  server.registerTool(
    'tail',
    {
      title: "Last lines of a run's output",
      description: `The last lines of a run's raw output (ANSI stripped; default ${TAIL_DEFAULT}, at most ${TAIL_MAX}, long lines clipped). Prefer status; tail is for when the brief is not enough.`,
      inputSchema: { id: runId, lines: z.number().int().positive().max(TAIL_MAX).optional().describe(`default ${TAIL_DEFAULT}, at most ${TAIL_MAX}`) },
      outputSchema: { id: z.string(), lines: z.array(z.string()), logBytes: z.number() },
      annotations: { readOnlyHint: true },
    },
    (input) =>
      guarded('tail', () => {
        const tail = baton.tail(input.id, { lines: input.lines ?? TAIL_DEFAULT });
        const lines = tail.lines.map((l) => clip(l, TAIL_LINE_CHARS));
        return toolResult(lines.join('\n') || '(no output yet)', { id: tail.id, lines, logBytes: tail.offset });
      }),
  );

  server.registerTool(
    'list',
    {
      title: 'List runs',
      description: 'Runs, newest first, one line each, filtered by state or dir; use status for a brief.',
      inputSchema: {
        states: z.array(z.enum(RUN_STATES)).optional(),
        dir: z.string().min(1).optional(),
        limit: z.number().int().positive().max(200).optional().describe('default 20'),
      },
      outputSchema: { runs: z.array(runRowSchema) },
      annotations: { readOnlyHint: true },
    },
    (input) =>
      guarded('list', () => {
        const runs = baton.list({ limit: input.limit ?? 20, ...(input.states && { states: input.states }), ...(input.dir && { dir: input.dir }) }).map(row);
        const text = runs.length === 0 ? 'no runs' : runs.map((r) => `${r.id}  ${r.state.padEnd(10)} ${[r.runner, r.agent].filter(Boolean).join('/')}  ${r.name ? `"${r.name}" ` : ''}${r.dir}`).join('\n');
        return toolResult(text, { runs });
      }),
  );

  server.registerTool(
    'kill',
    {
      title: 'Kill a run',
      description: "Stops a run and every process it started (SIGTERM to its process group, a grace period, then SIGKILL); returns once nothing is left.",
      inputSchema: { id: runId, graceSeconds: z.number().positive().max(30).optional().describe('default 5') },
      outputSchema: { id: z.string(), state: runStateSchema, signalled: z.number(), forced: z.boolean(), survivors: z.array(z.number()), alreadyEnded: z.boolean() },
      annotations: { destructiveHint: true },
    },
    (input) =>
      guarded('kill', async () => {
        const killed = await baton.kill(input.id, (input.graceSeconds ?? 5) * 1000);
        const text = killed.alreadyEnded ? `run ${killed.id} had already ended (${killed.state})` : `run ${killed.id} ${killed.state}: ${killed.signalled} process(es) signalled${killed.forced ? ', SIGKILL needed' : ''}${killed.survivors.length ? `, survivors ${killed.survivors.join(' ')}` : ''}`;
        return toolResult(text, { ...killed });
      }),
  );

  server.registerTool(
    'resume',
    {
      title: "Continue a run's agent session",
      description: "Starts a new run in the same agent session and returns at once; without a prompt Baton writes the follow-up from the run's reasons (missing files, verification). Then wait on the new id.",
      inputSchema: { id: runId, prompt: z.string().min(1).optional().describe('default: the follow-up Baton writes'), name: z.string().min(1).optional() },
      outputSchema: { ...launchSchema, parentId: z.string(), sessionId: z.string(), prompt: z.string() },
    },
    (input) =>
      guarded('resume', async () => {
        const resumed = await baton.resume(input.id, input.prompt, input.name !== undefined ? { name: input.name } : {});
        return toolResult(`resumed ${resumed.parentId} as run ${resumed.id} in session ${resumed.sessionId}. Prompt sent: "${clip(resumed.prompt, 300)}". Next: wait {"ids":["${resumed.id}"]}.`, { ...resumed });
      }),
  );

  server.registerTool(
    'export',
    {
      title: "Summary of a run's agent session",
      description: 'The agent session, summarised: message and tool-call counts, tools by name, and the last few messages clipped. Never the whole transcript.',
      inputSchema: {
        id: runId,
        lastMessages: z.number().int().min(0).max(20).optional().describe('default 5'),
        maxChars: z.number().int().positive().max(4000).optional().describe('per message, default 500'),
      },
      outputSchema: {
        id: z.string(),
        sessionId: z.string(),
        messages: z.number(),
        toolCalls: z.number(),
        toolsByName: z.record(z.string(), z.number()),
        exportChars: z.number(),
        last: z.array(z.object({ role: z.string(), text: z.string(), tools: z.array(z.string()) })),
      },
      annotations: { readOnlyHint: true },
    },
    (input) =>
      guarded('export', async () => {
        const exported = await baton.exportSession(input.id);
        const summary = summariseSession(exported.json, { last: input.lastMessages ?? 5, maxChars: input.maxChars ?? 500 });
        const tools = Object.entries(summary.toolsByName).map(([name, n]) => `${name} ${n}`).join(' · ');
        const text = [
          `run ${exported.id} · session ${exported.sessionId}: ${summary.messages} messages, ${summary.toolCalls} tool calls${tools ? ` (${tools})` : ''}`,
          ...summary.last.map((m) => `[${m.role}]${m.tools.length ? ` tools: ${m.tools.join(', ')}` : ''}${m.text ? ` ${m.text}` : ''}`),
        ].join('\n');
        return toolResult(text, { id: exported.id, sessionId: exported.sessionId, ...summary });
      }),
  );

  server.registerTool(
    'diff',
    {
      title: 'Files a run changed',
      description: 'Files the run changed since it launched (against a baseline taken at launch, so earlier uncommitted edits do not count); patch: true adds the unified diff, clipped.',
      inputSchema: {
        id: runId,
        patch: z.boolean().optional(),
        maxPatchChars: z.number().int().positive().max(100_000).optional().describe(`default ${PATCH_DEFAULT_CHARS}`),
      },
      outputSchema: {
        id: z.string(),
        baseline: z.string(),
        changes: z.array(z.object({ path: z.string(), change: z.enum(['added', 'modified', 'deleted']) })),
        patch: z.string().optional(),
      },
      annotations: { readOnlyHint: true },
    },
    (input) =>
      guarded('diff', async () => {
        const result = await baton.diff(input.id, { patch: input.patch === true });
        const patch = result.patch !== undefined ? clip(result.patch, input.maxPatchChars ?? PATCH_DEFAULT_CHARS) : undefined;
        const mark = { added: 'A', modified: 'M', deleted: 'D' } as const;
        const text = [`${result.id}: ${result.changes.length} file(s) changed since ${result.baseline}`, ...result.changes.map((c) => `${mark[c.change]} ${c.path}`), ...(patch ? ['', patch] : [])].join('\n');
        return toolResult(text, { id: result.id, baseline: result.baseline, changes: result.changes, ...(patch !== undefined && { patch }) });
      }),
  );
}

