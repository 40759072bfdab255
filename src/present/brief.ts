import { describeError, type RunStatus } from '../report.js';
import { formatDuration } from '../duration.js';
import { escapeControls, stripTerminalControls } from '../text.js';
import { hasReason, type Reason } from '../reasons.js';
import { isActive } from '../store/runs.js';

/**
 * The run's brief as every shell shows it: the CLI (`status`, `wait`), the MCP tools and the demo.
 * Words and layout live here; colour does not: each shell passes the marks it wants (the CLI its
 * terminal colours, MCP and tests plain text).
 */
export interface BriefStyle {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  state(state: string): string;
}

const same = (text: string) => text;
/** No marks at all: what a model or a log file reads. */
export const plainStyle: BriefStyle = { bold: same, dim: same, red: same, yellow: same, state: same };

export const number = (n: number) => n.toLocaleString('en-US');

export function ago(iso: string | null, now: number): string {
  if (!iso) return 'never';
  return `${formatDuration(Math.max(0, now - Date.parse(iso)))} ago`;
}

function clock(ms: number | undefined): string {
  if (ms === undefined) return '        ';
  return new Date(ms).toISOString().slice(11, 19);
}

function listFiles(files: string[], shown = 6): string {
  if (files.length === 0) return 'none';
  const head = files.slice(0, shown).map(escapeControls).join(', ');
  return files.length > shown ? `${head} (+${files.length - shown} more)` : head;
}

/** "Hephaestus - Deep Agent" reads as "Hephaestus" in a one-line header. */
const shortAgent = (agent: string | null) => (agent ? escapeControls(agent.split(/\s+-\s+/)[0]!) : null);

/** A multi-line text as one line: headings unmarked, lines joined with ' · ', clipped to `max`; no terminal controls. */
export function oneLine(text: string, max: number): string {
  const flat = stripTerminalControls(text)
    .split('\n')
    .map((l) => l.replace(/^#+\s*/, '').trim())
    .filter(Boolean)
    .join(' · ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The agent's error message a reason carries, if any. */
function statesError(reason: Reason): string | undefined {
  return reason.kind === 'api-error' || reason.kind === 'agent-error' || reason.kind === 'usage-limit' ? reason.message : undefined;
}

/** The last error, unless a reason already says it. */
export function unreportedError(status: RunStatus): string | null {
  const last = status.errors.at(-1);
  if (!last) return null;
  const message = last.message.split('\n')[0];
  if (status.reasonDetails.some((reason) => statesError(reason) === message)) return null;
  return describeError(last);
}

/**
 * The brief a lead reads per look, kept to a few hundred characters because a session pays for every
 * look in tokens: state, reasons, session, files changed, the last error, the final message and the
 * next move. Everything else is in `formatFullBrief` (`baton status --full`) and `--json`.
 */
export function formatBrief(status: RunStatus, style: BriefStyle, now = Date.now()): string {
  const lines: string[] = [];
  const who = [status.runner, shortAgent(status.agent)].filter(Boolean).join('/');
  const active = isActive(status.state);
  // A reason that already names the exit ("agent exited with code 1") makes the header's copy noise.
  const exitSaid = hasReason(status.reasonDetails, 'exit-code', 'signal', 'no-completion-signal');
  const exit = exitSaid ? '' : status.exitCode !== null ? ` · exit ${status.exitCode}` : status.signal ? ` · ${status.signal}` : '';
  const label = status.name ? ` ${style.dim(`"${escapeControls(status.name)}"`)}` : '';
  lines.push(`${style.bold(status.id)} ${style.state(status.state)} · ${who} · ${formatDuration(status.elapsedMs)} · ${number(status.outputLines)} lines${exit}${label}`);
  const row = (key: string, value: string) => lines.push(`${style.dim(key.padEnd(7))} ${value}`);
  if (status.sessionId) row('session', escapeControls(status.sessionId));
  if (status.worker !== undefined) row('worker', workerText(status.worker));
  if (active && status.state !== 'queued') {
    const growth = status.recentLinesPerMinute !== null ? ` · +${number(status.recentLinesPerMinute)}/min` : '';
    row('output', `last ${ago(status.lastOutputAt, now)}${growth}`);
    if (status.retrying) row('retry', oneLine(status.retrying, 160));
  }
  if (status.filesChanged.length > 0) row('changed', listFiles(status.filesChanged, 4));
  status.reasons.forEach((reason, i) => row(i === 0 ? 'why' : '', style.yellow(oneLine(reason, 160))));
  if (status.limitResetAt) row('resets', escapeControls(status.limitResetAt));
  const error = unreportedError(status);
  if (error) row('error', style.red(oneLine(error, 160)));
  if (active && status.state !== 'queued') {
    const latest = status.recentEvents.at(-1);
    if (latest) row('now', oneLine(latest.summary, 100));
  }
  if (status.finalMessage) row('final', oneLine(status.finalMessage, 100));
  if (status.followUp) row('next', `baton resume ${status.id}`);
  else if (active) row('next', `baton wait ${status.id}`);
  return lines.join('\n');
}

/** A cluster run's worker, or that none took it yet. */
function workerText(worker: NonNullable<RunStatus['worker']> | null): string {
  return worker ? escapeControls(`${worker.name}${worker.host ? ` on ${worker.host}` : ''}`) : 'none yet: queued for the cluster';
}

/** Everything the brief leaves out: dir, model, tools, recent events, the follow-up Baton would send. */
export function formatFullBrief(status: RunStatus, style: BriefStyle, now = Date.now()): string {
  const lines: string[] = [];
  const who = escapeControls([status.runner, status.agent].filter(Boolean).join('/'));
  const label = status.name ? `  ${style.dim(`"${escapeControls(status.name)}"`)}` : '';
  lines.push(`${style.bold(status.id)}  ${style.state(status.state)}  ${who}${status.model ? ` · ${escapeControls(status.model)}` : ''}${label}`);
  const row = (key: string, value: string) => lines.push(`  ${style.dim(key.padEnd(8))} ${value}`);
  row('dir', escapeControls(status.dir));
  if (status.sessionId) row('session', escapeControls(status.sessionId));
  if (status.worker !== undefined) row('worker', workerText(status.worker));
  const growth = status.recentLinesPerMinute !== null ? ` (+${number(status.recentLinesPerMinute)}/min)` : '';
  const exit = status.exitCode !== null ? ` · exit ${status.exitCode}` : status.signal ? ` · signal ${status.signal}` : '';
  row('elapsed', `${formatDuration(status.elapsedMs)} · output ${number(status.outputLines)} lines${growth} · last output ${ago(status.lastOutputAt, now)}${exit}`);
  const tools = Object.entries(status.toolCounts)
    .filter(([, n]) => n)
    .map(([kind, n]) => `${kind} ${n}`)
    .join(' · ');
  if (tools) row('tools', tools);
  row('changed', listFiles(status.filesChanged));
  if (status.tokens.input || status.tokens.output) {
    row('tokens', `${number(status.tokens.input)} in · ${number(status.tokens.output)} out${status.cost ? ` · $${status.cost.toFixed(4)}` : ''}`);
  }
  if (status.retrying) row('retrying', oneLine(status.retrying, 200));
  if (status.reasons.length > 0) {
    status.reasons.forEach((reason, i) => lines.push(`  ${style.dim((i === 0 ? 'reasons' : '').padEnd(8))} ${style.yellow(`- ${stripTerminalControls(reason)}`)}`));
  }
  const recent = status.recentEvents.slice(-5);
  recent.forEach((event, i) =>
    lines.push(`  ${style.dim((i === 0 ? 'recent' : '').padEnd(8))} ${style.dim(clock(event.at))} ${oneLine(event.summary, 200)}`),
  );
  if (status.finalMessage) row('final', oneLine(status.finalMessage, 200));
  if (status.followUp) {
    row('next', `baton resume ${status.id}, which sends:`);
    for (const line of stripTerminalControls(status.followUp).split('\n')) lines.push(`           ${style.dim(line)}`);
  } else if (isActive(status.state)) row('next', `baton wait ${status.id} · baton tail ${status.id} -f · baton kill ${status.id}`);
  return lines.join('\n');
}
