import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { parseScript, prepareClaudeSandbox, SCRIPTED_CLAUDE_MODEL, startMockModel, type MockModel } from '../src/mock-model/index.js';
import { BATON_BIN, fmtMs, gitRepo, runBatonJson, type Row } from './lib.js';

/**
 * What supervising one agent run costs the lead session (issue #14), per approach, measured in the
 * same bench run on the same scripted Claude Code run (the real `claude` against the scripted model,
 * 25 tool calls, 2 files written, delays spread over the run):
 *
 * - Baton MCP: run → wait (45 s bound, again while not done); the end report needs no status call.
 * - Baton CLI: `baton run`, then `baton wait ID` in a background shell (one answer, when it ends).
 * - the blocking MCP wrapper `claude-code-mcp` (one call that returns claude's final message).
 * - by hand: `claude -p --output-format stream-json > out &`, then `sleep S && wc -l out && tail -80
 *   out` until the output shows the end.
 *
 * Chars read are every character of every answer the lead gets (text and structured content);
 * detection latency is from the agent's end to the lead knowing it; longest call is the longest the
 * lead is blocked in one tool call. Also: tools/list of Baton against the wrapper's, and a 4-phase
 * plan (one phase needing a resume) driven over MCP.
 */

const BIN_DIR = fileURLToPath(new URL('../../node_modules/.bin/', import.meta.url));
const WRAPPER = fileURLToPath(new URL('../../node_modules/@steipete/claude-code-mcp/dist/server.js', import.meta.url));
const API_KEY = 'lead-cost-key';
const TOOL_CALLS = 25;
const PROMPT = `Phase 1: two notes.

## Files to Create/Modify
- \`a.txt\`
- \`b.txt\`

## Steps
1. Create a.txt and b.txt with a line each, checking the directory as you go.
2. Report what you wrote.
`;

interface Cost {
  chars: number;
  calls: number;
  detectionMs: number;
  longestMs: number;
  /** What Claude Code would have shown its model, where that differs from chars. */
  note?: string;
}

interface World {
  mock: MockModel;
  repo: string;
  root: string;
  env: Record<string, string>;
}

/** 25 tool calls (two of them writing the files), the run's time spread evenly over them. */
function claudeScript(durationMs: number) {
  const delayMs = Math.round(durationMs / (TOOL_CALLS + 1));
  const steps = Array.from({ length: TOOL_CALLS }, (_, i) =>
    i === 4 || i === 16
      ? { delayMs, tools: [{ name: 'Write', args: { file_path: `{{workdir}}/${i === 4 ? 'a' : 'b'}.txt`, content: `note ${i}\n` } }] }
      : { delayMs, tools: [{ name: 'Bash', args: { command: `ls -la && echo step ${i}`, description: `look around (${i})` } }] },
  );
  return parseScript({ steps: [...steps, { delayMs, text: 'Done: wrote a.txt and b.txt, one line each.' }] });
}

async function claudeWorld(name: string, durationMs: number): Promise<World> {
  const root = mkdtempSync(join(tmpdir(), `baton-bench-lead-${name}-`));
  const mock = await startMockModel({ script: claudeScript(durationMs), apiKey: API_KEY });
  const sandbox = await prepareClaudeSandbox({ baseUrl: mock.url, apiKey: API_KEY, root: join(root, 'claude'), maxRetries: 1, isolateHome: true });
  const env: Record<string, string> = {};
  // IS_SANDBOX: claude refuses --dangerously-skip-permissions as root otherwise (the wrapper and the by-hand lead use it).
  const all = { ...process.env, ...sandbox.env, BATON_HOME: join(root, 'home'), NO_COLOR: '1', IS_SANDBOX: '1', PATH: `${BIN_DIR}${delimiter}${process.env.PATH ?? ''}` };
  for (const [k, v] of Object.entries(all)) if (v !== undefined) env[k] = v;
  return { mock, repo: gitRepo(root), root, env };
}

const resultChars = (result: CallToolResult) =>
  result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n').length + (result.structuredContent ? JSON.stringify(result.structuredContent).length : 0);
/** Claude Code shows its model the structured content when there is one, the text otherwise. */
const shownChars = (result: CallToolResult) => (result.structuredContent ? JSON.stringify(result.structuredContent).length : result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n').length);

async function mcpClient(command: string, args: string[], env: Record<string, string>, cwd: string): Promise<Client> {
  const client = new Client({ name: 'bench-lead', version: '1' });
  await client.connect(new StdioClientTransport({ command, args, env, cwd, stderr: 'ignore' }));
  return client;
}

/** A tool call, timed; `timeout` bounds the client's patience (the SDK's default is 60 s). */
async function timedCall(client: Client, name: string, args: Record<string, unknown>, timeout = 60_000) {
  const started = performance.now();
  const result = (await client.callTool({ name, arguments: args }, undefined, { timeout })) as CallToolResult;
  return { result, ms: performance.now() - started, at: Date.now() };
}

async function endedAt(env: Record<string, string>, id: string): Promise<number> {
  const status = await runBatonJson(['status', id], env);
  if (!status.endedAt) throw new Error(`run ${id} has no end time: ${JSON.stringify(status)}`);
  return Date.parse(status.endedAt);
}

async function viaBatonMcp(world: World): Promise<Cost & { state: string }> {
  const client = await mcpClient(process.execPath, [BATON_BIN, 'mcp'], world.env, world.repo);
  try {
    const launched = await timedCall(client, 'run', { runner: 'claude', model: SCRIPTED_CLAUDE_MODEL, dir: world.repo, prompt: PROMPT });
    if (launched.result.isError) throw new Error(JSON.stringify(launched.result.content));
    const id = (launched.result.structuredContent as { id: string }).id;
    let chars = resultChars(launched.result);
    let shown = shownChars(launched.result);
    let calls = 1;
    let longestMs = launched.ms;
    for (;;) {
      const waited = await timedCall(client, 'wait', { ids: [id] });
      calls++;
      chars += resultChars(waited.result);
      shown += shownChars(waited.result);
      longestMs = Math.max(longestMs, waited.ms);
      if (waited.result.isError) throw new Error(JSON.stringify(waited.result.content));
      const end = waited.result.structuredContent as { done?: boolean; runs?: { state: string }[] } | undefined;
      if (end?.done) return { chars, calls, detectionMs: waited.at - (await endedAt(world.env, id)), longestMs, note: `Claude Code shows ${shown.toLocaleString('en-US')}`, state: end.runs![0]!.state };
    }
  } finally {
    await client.close();
  }
}

async function viaBatonCli(world: World): Promise<Cost & { state: string }> {
  const started = performance.now();
  const run = spawnSync(process.execPath, [BATON_BIN, 'run', '--runner', 'claude', '--model', SCRIPTED_CLAUDE_MODEL, '--dir', world.repo, PROMPT], { env: world.env, encoding: 'utf8' });
  const runMs = performance.now() - started;
  if (run.status !== 0) throw new Error(`baton run exited ${run.status}: ${run.stderr}`);
  const id = /\b([a-z0-9]{8})\b/.exec(run.stdout)?.[1];
  if (!id) throw new Error(`no run id in: ${run.stdout}`);
  // The lead's background shell: it is told when the command exits, and reads what it printed.
  const waitStarted = performance.now();
  const waited = await new Promise<{ stdout: string; at: number }>((resolve, reject) => {
    const child = spawn(process.execPath, [BATON_BIN, 'wait', id], { env: world.env, stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.on('error', reject);
    child.on('close', () => resolve({ stdout, at: Date.now() }));
  });
  const waitMs = performance.now() - waitStarted;
  const status = await runBatonJson(['status', id], world.env);
  return {
    chars: run.stdout.length + waited.stdout.length,
    calls: 2,
    detectionMs: waited.at - (await endedAt(world.env, id)),
    longestMs: runMs,
    note: `the wait ran ${fmtMs(waitMs)} in the background`,
    state: status.state,
  };
}

/** A claude that records when it exits, for the wrapper (which finds it through CLAUDE_CLI_NAME). */
function timedClaude(root: string): { bin: string; endFile: string } {
  const bin = join(root, 'claude-timed.sh');
  const endFile = join(root, 'claude-ended');
  writeFileSync(bin, `#!/bin/sh\n"${join(BIN_DIR, 'claude')}" --model ${SCRIPTED_CLAUDE_MODEL} "$@"\nrc=$?\nnode -e 'require("fs").writeFileSync(process.argv[1], String(Date.now()))' "${endFile}"\nexit $rc\n`);
  chmodSync(bin, 0o755);
  return { bin, endFile };
}

async function viaWrapper(world: World, durationMs: number): Promise<Cost & { toolsListChars: number }> {
  const claude = timedClaude(world.root);
  const client = await mcpClient(process.execPath, [WRAPPER], { ...world.env, CLAUDE_CLI_NAME: claude.bin }, world.repo);
  try {
    const { tools } = await client.listTools();
    const called = await timedCall(client, 'claude_code', { prompt: PROMPT, workFolder: world.repo }, durationMs * 3 + 120_000);
    if (called.result.isError) throw new Error(JSON.stringify(called.result.content));
    const ended = existsSync(claude.endFile) ? Number(readFileSync(claude.endFile, 'utf8')) : NaN;
    return { chars: resultChars(called.result), calls: 1, detectionMs: called.at - ended, longestMs: called.ms, toolsListChars: JSON.stringify({ tools }).length };
  } finally {
    await client.close();
  }
}

async function byHand(world: World, pollMs: number): Promise<Cost> {
  const out = join(world.root, 'out.jsonl');
  const started = performance.now();
  // `claude -p … > out 2>&1 &`: argv, output to a file the lead polls.
  const child = spawn(join(BIN_DIR, 'claude'), ['-p', '--output-format', 'stream-json', '--verbose', '--dangerously-skip-permissions', '--model', SCRIPTED_CLAUDE_MODEL, '--', PROMPT], {
    cwd: world.repo,
    env: world.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const sink: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => sink.push(b));
  child.stderr.on('data', (b: Buffer) => sink.push(b));
  let exitedAt = NaN;
  child.on('exit', () => (exitedAt = Date.now()));
  const launchMs = performance.now() - started;
  let chars = 0;
  let calls = 1;
  let longestMs = launchMs;
  for (;;) {
    const pollStarted = performance.now();
    await new Promise((r) => setTimeout(r, pollMs));
    writeFileSync(out, Buffer.concat(sink));
    const wc = spawnSync('wc', ['-l', out], { encoding: 'utf8' }).stdout;
    const tail = spawnSync('tail', ['-n', '80', out], { encoding: 'utf8' }).stdout;
    calls++;
    chars += wc.length + tail.length;
    longestMs = Math.max(longestMs, performance.now() - pollStarted);
    // The lead knows the run ended when the tail shows claude's result line.
    if (tail.split('\n').some((line) => line.startsWith('{"type":"result"'))) {
      // The result line is written just before exit; wait for the exit to time the end.
      const deadline = Date.now() + 30_000;
      while (Number.isNaN(exitedAt) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      return { chars, calls, detectionMs: Date.now() - exitedAt, longestMs };
    }
  }
}

/** The four approaches on the same scripted run, side by side. */
async function compareApproaches(label: string, durationMs: number): Promise<{ rows: Row[]; batonMcp: Cost; toolsList: { baton: number; wrapper: number } }> {
  const names = ['mcp', 'cli', 'wrapper', 'hand'] as const;
  const worlds = Object.fromEntries(await Promise.all(names.map(async (n) => [n, await claudeWorld(n, durationMs)] as const))) as Record<(typeof names)[number], World>;
  // The by-hand lead polls every 120 s, as in the issue; a shorter run gets a proportionally shorter sleep.
  const pollMs = Math.min(120_000, Math.round((durationMs * 120) / 134));
  try {
    const [mcp, cli, wrapper, hand] = await Promise.all([viaBatonMcp(worlds.mcp), viaBatonCli(worlds.cli), viaWrapper(worlds.wrapper, durationMs), byHand(worlds.hand, pollMs)]);
    const batonList = await (async () => {
      const client = await mcpClient(process.execPath, [BATON_BIN, 'mcp'], worlds.mcp.env, worlds.mcp.repo);
      const { tools } = await client.listTools();
      await client.close();
      return JSON.stringify({ tools }).length;
    })();
    for (const [name, state] of [['Baton MCP', mcp.state], ['Baton CLI', cli.state]] as const) if (state !== 'completed') throw new Error(`${name}'s run ended ${state}`);
    const describe = (c: Cost) => `${c.chars.toLocaleString('en-US')} chars, ${c.calls} calls, detect ${fmtMs(c.detectionMs)}, longest ${fmtMs(c.longestMs)}${c.note ? ` (${c.note})` : ''}`;
    const baseline = `by hand (sleep ${Math.round(pollMs / 1000)} s && wc -l && tail -80): ${describe(hand)}; wrapper: ${describe(wrapper)}`;
    const ratio = (c: Cost) => `1/${(hand.chars / c.chars).toFixed(0)} of by hand, ${(c.chars / wrapper.chars).toFixed(1)}x the wrapper`;
    const tenMinutes = durationMs >= 9 * 60_000;
    return {
      batonMcp: mcp,
      toolsList: { baton: batonList, wrapper: wrapper.toolsListChars },
      rows: [
        {
          claim: `lead cost, ${label} scripted claude run: Baton MCP (run → wait …, no status)`,
          measured: describe(mcp),
          baseline,
          ratio: ratio(mcp),
          target: `${tenMinutes ? '<= 1,000 chars; ' : ''}detect <= 250 ms; no call > 55 s`,
          ok: (!tenMinutes || mcp.chars <= 1_000) && mcp.detectionMs <= 250 && mcp.longestMs <= 55_000,
        },
        {
          claim: `lead cost, ${label} scripted claude run: Baton CLI (run, background wait)`,
          measured: describe(cli),
          baseline: 'same',
          ratio: ratio(cli),
          target: 'detect <= 250 ms',
          ok: cli.detectionMs <= 250,
        },
        { claim: `lead cost, ${label}: blocking wrapper claude-code-mcp`, measured: describe(wrapper), baseline: '-', ratio: '-', target: '-', ok: null },
        { claim: `lead cost, ${label}: by hand, sleep ${Math.round(pollMs / 1000)} s && wc -l && tail -80`, measured: describe(hand), baseline: '-', ratio: '-', target: '-', ok: null },
      ],
    };
  } finally {
    await Promise.all(Object.values(worlds).map((w) => w.mock.close()));
  }
}

const PLAN_AGENT = `#!/bin/sh
# Creates every phaseN*.txt its prompt names, except phase2late.txt on a first run (no session):
# that phase exits incomplete and Baton resumes it with a follow-up naming the missing file.
prompt=$(cat)
echo "Session: s-$$"
for f in $(printf '%s' "$prompt" | grep -o 'phase[0-9a-z]*\\.txt' | sort -u); do
  if [ "$f" = phase2late.txt ] && [ -z "$1" ]; then continue; fi
  printf 'x\\n' > "$f"
done
echo DONE
`;

/** A 4-phase plan over MCP, one phase resumed once: plan_run, then plan_wait until it answers done. */
async function planOverMcp(): Promise<{ row: Row; chars: number }> {
  const root = mkdtempSync(join(tmpdir(), 'baton-bench-lead-plan-'));
  const repo = gitRepo(root);
  const agent = join(root, 'agent.sh');
  writeFileSync(agent, PLAN_AGENT);
  chmodSync(agent, 0o755);
  const files = (n: number) => (n === 2 ? '[phase2.txt, phase2late.txt]' : `[phase${n}.txt]`);
  const phases = [1, 2, 3, 4].map((n) => `  - { id: "${n}", title: "Step ${n}", prompt: "Create ${n === 2 ? 'phase2.txt and phase2late.txt' : `phase${n}.txt`}", files: ${files(n)} }`).join('\n');
  const plan = join(root, 'plan.yaml');
  writeFileSync(
    plan,
    `project: bench\ndir: ${repo}\ndefaults:\n  runner: cmd\n  maxResumes: 2\n  runnerOptions: { command: "sh ${agent}", resumeCommand: "sh ${agent} {session}", input: stdin, session: "Session: (\\\\S+)", completion: "^DONE$" }\nphases:\n${phases}\n`,
  );
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, BATON_HOME: join(root, 'home'), NO_COLOR: '1' })) if (v !== undefined) env[k] = v;
  const client = await mcpClient(process.execPath, [BATON_BIN, 'mcp'], env, repo);
  try {
    const started = await timedCall(client, 'plan_run', { file: plan, noLint: true });
    if (started.result.isError) throw new Error(JSON.stringify(started.result.content));
    let chars = resultChars(started.result);
    let calls = 1;
    let longestMs = started.ms;
    let last = '';
    for (;;) {
      const waited = await timedCall(client, 'plan_wait', {});
      calls++;
      chars += resultChars(waited.result);
      longestMs = Math.max(longestMs, waited.ms);
      last = waited.result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
      if (waited.result.isError) throw new Error(last);
      if (last.startsWith('done:')) break;
    }
    const status = await runBatonJson(['plan', 'status'], env);
    if (status.state !== 'completed') throw new Error(`the plan ended ${status.state}: ${last}`);
    const resumes = status.phases.reduce((n: number, p: { resumes: number }) => n + p.resumes, 0);
    if (resumes < 1) throw new Error(`no phase needed a resume: ${last}`);
    return {
      chars,
      row: {
        claim: `lead cost, 4-phase plan over MCP (plan_run, plan_wait …; ${resumes} resume)`,
        measured: `${chars.toLocaleString('en-US')} chars, ${calls} calls, longest ${fmtMs(longestMs)}`,
        baseline: '-',
        ratio: '-',
        target: '<= 1,500 chars',
        ok: chars <= 1_500,
      },
    };
  } finally {
    await client.close();
  }
}

/** quick: one ~40 s run; full: a ~2-minute and a ~10-minute run. Both: tools/list and the plan. */
export async function benchLeadCost(quick: boolean): Promise<Row[]> {
  const durations: [string, number][] = quick ? [['~40 s', 40_000]] : [['~2-minute', 120_000], ['~10-minute', 600_000]];
  const rows: Row[] = [];
  let toolsList = { baton: 0, wrapper: 0 };
  for (const [label, ms] of durations) {
    process.stderr.write(`  lead cost: ${label} run, four approaches at once…\n`);
    const compared = await compareApproaches(label, ms);
    rows.push(...compared.rows);
    toolsList = compared.toolsList;
  }
  rows.push({
    claim: "tools/list of all Baton's MCP tools (carried in every session's context)",
    measured: `${toolsList.baton.toLocaleString('en-US')} chars`,
    baseline: `claude-code-mcp: ${toolsList.wrapper.toLocaleString('en-US')} chars (1 tool); Baton before #14: 19,908`,
    ratio: `${(toolsList.baton / toolsList.wrapper).toFixed(1)}x the wrapper`,
    target: '<= 6,000 chars',
    ok: toolsList.baton <= 6_000,
  });
  process.stderr.write('  lead cost: 4-phase plan over MCP…\n');
  rows.push((await planOverMcp()).row);
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { printTable } = await import('./lib.js');
  printTable(await benchLeadCost(process.argv.includes('--quick')));
}
