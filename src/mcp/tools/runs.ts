import type { ToolTable } from '../tool-table.js';
import { z } from 'zod';
import type { Baton } from '../../baton.js';
import { MAX_DURATION_MS } from '../../duration.js';
import { formatBrief, formatFullBrief } from '../../present/brief.js';
import type { RunStatus } from '../../report.js';
import { RUN_STATES } from '../../store/runs.js';
import { DEFAULT_RUNNER, RUNNER_NAMES } from '../../runners/registry.js';
import { reportRun } from '../end-report.js';
import { stillGoing } from '../../still-going.js';
import { LIMITS, name, path, strictInput, text } from '../input.js';
import { guarded, plain, textResult, toolError, toolResult } from '../result.js';
import { summariseSession } from '../session-summary.js';
import { clipCounted } from '../../text.js';

/**
 * Claude Code gives an MCP call about 60 s; a wait must answer well before that, and every answer
 * costs the lead a line, so it waits as long as it safely can.
 */
export const WAIT_DEFAULT_SECONDS = 50;
export const WAIT_MAX_SECONDS = 55;
const PROGRESS_EVERY_MS = 5_000;
const TAIL_DEFAULT = 40;
const TAIL_MAX = 200;
const TAIL_LINE_CHARS = 500;
const PATCH_DEFAULT_CHARS = 20_000;

/** Tool descriptions are carried in every session's context from its first turn: one line each. */
const runId = () => name().describe('run id, prefix or name');
const runIds = () => z.array(name()).min(1).max(20);

function row(s: RunStatus) {
  return { id: s.id, name: s.name, state: s.state, runner: s.runner, agent: s.agent, dir: s.dir, startedAt: s.startedAt, elapsedMs: s.elapsedMs, outputLines: s.outputLines, reasons: s.reasons };
}

/** `ids`, or the single `id` models write as often. */
function idsOf(input: { ids?: string[]; id?: string }): string[] {
  if (input.ids !== undefined && input.id !== undefined) return [...input.ids, input.id];
  return input.ids ?? (input.id !== undefined ? [input.id] : []);
}

export function registerRunTools(tools: ToolTable, baton: Baton): void {
  tools.register(
    'run',
    {
      description: 'Launch a coding agent detached; returns its id at once. Then call wait until done.',
      inputSchema: strictInput({
        prompt: text().optional(),
        promptFile: path().optional().describe('instead of prompt'),
        dir: path().optional().describe('default: cwd'),
        // A name, not an enum: the library's one check answers an unknown runner, listing the known ones.
        runner: name().optional().describe(`${RUNNER_NAMES.join('|')}; default ${DEFAULT_RUNNER}`),
        agent: name().optional(),
        model: name().optional(),
        name: name().optional(),
        stallAfterSeconds: z.number().positive().max(MAX_DURATION_MS / 1000).optional(),
        timeoutSeconds: z.number().positive().max(MAX_DURATION_MS / 1000).optional(),
        runnerOptions: z
          .record(name(), z.union([z.string().max(LIMITS.path), z.array(z.string().max(LIMITS.path)).max(LIMITS.list)]))
          .refine((o) => Object.keys(o).length <= LIMITS.list, `at most ${LIMITS.list} options`)
          .optional(),
        noLock: z.boolean().optional(),
        maxCost: z.number().positive().max(1e6).optional().describe('USD budget'),
        ignoreLimitBreaker: z.boolean().optional(),
      }),
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
          ...(input.ignoreLimitBreaker === true && { ignoreLimitBreaker: true }),
          ...(input.maxCost !== undefined && { maxCost: input.maxCost }),
        });
        return toolResult(`launched ${launched.id}; next: wait`, { id: launched.id, state: launched.state, pid: launched.pid });
      }),
  );

  tools.register(
    'status',
    {
      description: 'Brief of runs (no ids: active ones and the latest ended). Not needed after wait reports done.',
      inputSchema: strictInput({ ids: runIds().optional(), id: runId().optional(), detail: z.enum(['brief', 'full']).optional() }),
    },
    (input) =>
      guarded('status', async () => {
        await baton.refreshCluster();
        const runs = baton.status(idsOf(input));
        const detail = input.detail ?? 'brief';
        const text = runs.map((r) => (detail === 'full' ? formatFullBrief : formatBrief)(r, plain)).join('\n\n');
        return toolResult(runs.length === 0 ? 'no runs yet' : text, { runs: runs.map((r) => reportRun(r, detail)) });
      }),
  );

  tools.register(
    'wait',
    {
      description: `Block up to ${WAIT_DEFAULT_SECONDS} s for runs to end. Not done: one short line, call again. Done: the end report (state, reasons, files, session, final message, next move).`,
      inputSchema: strictInput({
        ids: runIds().optional(),
        id: runId().optional(),
        timeoutSeconds: z.number().positive().max(WAIT_MAX_SECONDS).optional(),
      }),
    },
    (input, extra) =>
      guarded('wait', async () => {
        const ids = idsOf(input);
        if (ids.length === 0) return toolError('wait: invalid input: give ids (or id)');
        const timeoutMs = (input.timeoutSeconds ?? WAIT_DEFAULT_SECONDS) * 1000;
        const started = Date.now();
        const linesBefore = new Map(baton.status(ids).map((s) => [s.id, s.outputLines]));
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
          const result = await baton.wait(ids, { timeoutMs, signal: extra.signal, onChange: (s) => progress(`${s.id} ${s.state}`) });
          // Not done: a line, nothing structured, so that a look costs a few dozen characters.
          if (result.timedOut) return textResult(`not done: ${result.runs.map((r) => (r.state === 'running' || r.state === 'stalled' ? stillGoing(r, linesBefore.get(r.id)) : `${r.id} ${r.state}`)).join('; ')}`);
          return toolResult(`done: ${result.runs.map((r) => `${r.id} ${r.state}`).join(', ')}`, { done: true, runs: result.runs.map((r) => reportRun(r)) });
        } finally {
          if (ticker) clearInterval(ticker);
        }
      }),
  );

  tools.register(
    'tail',
    {
      description: `Last lines of a run's raw output (default ${TAIL_DEFAULT}, max ${TAIL_MAX}); only when the report is not enough.`,
      inputSchema: strictInput({ id: runId(), lines: z.number().int().positive().max(TAIL_MAX).optional() }),
      annotations: { readOnlyHint: true },
    },
    (input) =>
      guarded('tail', async () => {
        const tail = await baton.fetchTail(input.id, { lines: input.lines ?? TAIL_DEFAULT });
        const lines = tail.lines.map((l) => clipCounted(l, TAIL_LINE_CHARS));
        return toolResult(lines.join('\n') || '(no output yet)', { id: tail.id, lines, logBytes: tail.offset });
      }),
  );

  tools.register(
    'list',
    {
      description: 'Runs, newest first, one line each.',
      inputSchema: strictInput({
        states: z.array(z.enum(RUN_STATES)).max(RUN_STATES.length).optional(),
        dir: path().optional(),
        limit: z.number().int().positive().max(200).optional(),
      }),
      annotations: { readOnlyHint: true },
    },
    (input) =>
      guarded('list', async () => {
        await baton.refreshCluster();
        const runs = baton.list({ limit: input.limit ?? 20, ...(input.states && { states: input.states }), ...(input.dir && { dir: input.dir }) }).map(row);
        const text = runs.length === 0 ? 'no runs' : runs.map((r) => `${r.id}  ${r.state.padEnd(10)} ${[r.runner, r.agent].filter(Boolean).join('/')}  ${r.name ? `"${r.name}" ` : ''}${r.dir}`).join('\n');
        return toolResult(text, { runs });
      }),
  );

  tools.register(
    'kill',
    {
      description: 'Stop a run and every process it started.',
      inputSchema: strictInput({ id: runId(), graceSeconds: z.number().positive().max(30).optional() }),
      annotations: { destructiveHint: true },
    },
    (input) =>
      guarded('kill', async () => {
        const killed = await baton.kill(input.id, (input.graceSeconds ?? 5) * 1000);
        const text = killed.alreadyEnded ? `run ${killed.id} had already ended (${killed.state})` : `run ${killed.id} ${killed.state}: ${killed.signalled} process(es) signalled${killed.forced ? ', SIGKILL needed' : ''}${killed.survivors.length ? `, survivors ${killed.survivors.join(' ')}` : ''}`;
        return toolResult(text, { ...killed });
      }),
  );

  tools.register(
    'resume',
    {
      description: "Continue an ended run's agent session (default prompt: Baton's follow-up); then wait on the new id.",
      inputSchema: strictInput({ id: runId(), prompt: text().optional(), name: name().optional() }),
    },
    (input) =>
      guarded('resume', async () => {
        const resumed = await baton.resume(input.id, input.prompt, input.name !== undefined ? { name: input.name } : {});
        return toolResult(`resumed as ${resumed.id}; next: wait`, { id: resumed.id, parentId: resumed.parentId, sessionId: resumed.sessionId, prompt: clipCounted(resumed.prompt, 300) });
      }),
  );

  tools.register(
    'export',
    {
      description: "Summary of a run's agent session: counts, tools, last messages clipped.",
      inputSchema: strictInput({ id: runId(), lastMessages: z.number().int().min(0).max(20).optional(), maxChars: z.number().int().positive().max(4000).optional() }),
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

  tools.register(
    'diff',
    {
      description: 'Files a run changed since launch; patch: true adds the diff, clipped.',
      inputSchema: strictInput({ id: runId(), patch: z.boolean().optional(), maxPatchChars: z.number().int().positive().max(100_000).optional() }),
      annotations: { readOnlyHint: true },
    },
    (input) =>
      guarded('diff', async () => {
        const result = await baton.diff(input.id, { patch: input.patch === true });
        const patch = result.patch !== undefined ? clipCounted(result.patch, input.maxPatchChars ?? PATCH_DEFAULT_CHARS) : undefined;
        const mark = { added: 'A', modified: 'M', deleted: 'D' } as const;
        const text = [`${result.id}: ${result.changes.length} file(s) changed since ${result.baseline}`, ...result.changes.map((c) => `${mark[c.change]} ${c.path}`), ...(patch ? ['', patch] : [])].join('\n');
        return toolResult(text, { id: result.id, baseline: result.baseline, changes: result.changes, ...(patch !== undefined && { patch }) });
      }),
  );
}
