import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { Baton } from '../src/baton.js';
import { createBatonMcpServer } from '../src/mcp/server.js';
import { BATON_BIN, runBatonJson, type Row } from './lib.js';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/omo/', import.meta.url));
const REPEATS = 16;
const CAPTURE_DIR = '/tmp/parser-capture/runs/omo-rich/work';

/**
 * What a lead session reads per look at a long oh-my-opencode run: `wc -l && tail -80` of the log,
 * against `baton status` (the brief) and the MCP `status` tool (text + structured content). The run
 * is a real Baton run whose pinned "oh-my-opencode" prints a log captured from real runs (the rich
 * fixture, repeated to over 2,000 lines, then a model error) and exits 1.
 */
export async function benchTokenEconomy(): Promise<Row[]> {
  const root = mkdtempSync(join(tmpdir(), 'baton-bench-tokens-'));
  const log = join(root, 'captured.log');
  // The fixture was captured in another directory; a real run's files are inside its own dir.
  const captured = readFileSync(join(FIXTURES, 'rich.log'), 'utf8');
  if (!captured.includes(CAPTURE_DIR)) throw new Error(`rich.log no longer names ${CAPTURE_DIR}; update the bench`);
  const rich = captured.replaceAll(CAPTURE_DIR, root);
  const failure = readFileSync(join(FIXTURES, 'http-500.log'), 'utf8').split('\n');
  const ending = failure.slice(failure.findIndex((line) => line.includes('[session.error]'))).join('\n');
  writeFileSync(log, `${rich.repeat(REPEATS)}${ending}`);
  const agent = join(root, 'print-log.sh');
  writeFileSync(agent, `#!/bin/sh\ncat "${log}"\nexit 1\n`);
  chmodSync(agent, 0o755);
  const home = join(root, 'home');
  const env = { ...process.env, BATON_HOME: home, BATON_OH_MY_OPENCODE_BIN: agent, NO_COLOR: '1' };
  const prompt = `Phase 3: greeting module.\n\n## Files to Create/Modify\n- \`src/greeting.ts\`\n- \`src/missing.ts\`\n\n## Steps\n1. Create the files listed above\n2. Report the final result\n`;
  const run = await runBatonJson(['run', '--dir', root, '--name', 'token-economy', prompt], env);
  const waited = await runBatonJson(['wait', run.id, '--timeout', '60s'], env);
  const status = waited.runs[0];

  const lines = rich.repeat(REPEATS).split('\n').length + ending.split('\n').length - 1;
  const wc = spawnSync('wc', ['-l', status.log], { encoding: 'utf8' }).stdout;
  const tail = spawnSync('tail', ['-n', '80', status.log], { encoding: 'utf8' }).stdout;
  const lookByTail = wc.length + tail.length;
  const brief = spawnSync(process.execPath, [BATON_BIN, 'status', run.id], { env, encoding: 'utf8' }).stdout;

  const baton = new Baton({ home, env });
  const server = createBatonMcpServer(baton);
  const client = new Client({ name: 'bench', version: '1' });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  const result = await client.callTool({ name: 'status', arguments: { ids: [run.id] } });
  await client.close();
  await server.close();
  baton.close();
  const mcpText = (result.content as { type: string; text?: string }[]).map((c) => c.text ?? '').join('\n');
  const mcpStructured = JSON.stringify(result.structuredContent);

  // The brief must still hold what the lead needs, or the saving is worthless.
  const needs: [string, boolean][] = [
    ['state', brief.includes(status.state)],
    ['reasons', status.reasons.length > 0 && status.reasons.every((r: string) => brief.includes(r.slice(0, 60)))],
    ['session id', status.sessionId !== null && brief.includes(status.sessionId)],
    ['files changed', status.filesChanged.length > 0 && brief.includes(status.filesChanged[0])],
    ['last error', status.errors.length > 0 && brief.includes(status.errors.at(-1).message.slice(0, 40))],
    ['final message', status.finalMessage !== null && brief.includes(status.finalMessage.split('\n').find((l: string) => l.trim())!.replace(/^#+\s*/, '').trim().slice(0, 40))],
  ];
  const missing = needs.filter(([, ok]) => !ok).map(([name]) => name);
  if (missing.length > 0) throw new Error(`the brief lacks: ${missing.join(', ')}\n${brief}`);

  const ratio = (n: number) => `1/${(lookByTail / n).toFixed(1)}`;
  const chars = (n: number) => `${n.toLocaleString('en-US')} chars`;
  return [
    {
      claim: `baton status brief vs wc -l && tail -80 (omo log of ${lines.toLocaleString('en-US')} lines, ${status.state})`,
      measured: chars(brief.length),
      baseline: chars(lookByTail),
      ratio: ratio(brief.length),
      target: '<= 1/10, with state, reasons, session, files, error, final',
      ok: brief.length * 10 <= lookByTail,
    },
    {
      claim: 'MCP status tool: text brief only (what a text-reading client shows)',
      measured: chars(mcpText.length),
      baseline: chars(lookByTail),
      ratio: ratio(mcpText.length),
      target: '<= 1/10',
      ok: mcpText.length * 10 <= lookByTail,
    },
    {
      claim: 'MCP status tool: structured content only (what Claude Code 2.1 hands its model)',
      measured: chars(mcpStructured.length),
      baseline: chars(lookByTail),
      ratio: ratio(mcpStructured.length),
      target: '-',
      ok: null,
    },
    {
      claim: 'MCP status tool: text + structured content',
      measured: chars(mcpText.length + mcpStructured.length),
      baseline: chars(lookByTail),
      ratio: ratio(mcpText.length + mcpStructured.length),
      target: '-',
      ok: null,
    },
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { printTable } = await import('./lib.js');
  printTable(await benchTokenEconomy());
}
