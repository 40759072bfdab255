import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../e2e/harness.js';
import { emptyWorld, startRawMcp } from './harness.js';

// A cmd agent that creates the phaseN*.txt files its prompt names, except phase2late.txt on a first
// run: phase 2 exits incomplete, and Baton resumes it in its session with a follow-up naming the file.
const AGENT = `#!/bin/sh
prompt=$(cat)
echo "Session: s-$$"
for f in $(printf '%s' "$prompt" | grep -o 'phase[0-9a-z]*\\.txt' | sort -u); do
  if [ "$f" = phase2late.txt ] && [ -z "$1" ]; then continue; fi
  printf 'x\\n' > "$f"
done
sleep 1
echo DONE
`;

const call = (id: number, name: string, args: unknown) => ({ id, method: 'tools/call', params: { name, arguments: args } });
const textOf = (response: any): string => response.result.content.map((c: { text?: string }) => c.text ?? '').join('\n');

test('a plan over MCP: plan_run, plan_wait (a line while not done, the short status when done), a resumed phase; baton plan wait prints the same status', async (t) => {
  const { root, env } = await emptyWorld(t);
  const repo = join(root, 'repo');
  mkdirSync(repo);
  const git = (...args: string[]) => execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { encoding: 'utf8' });
  git('init', '-q', '-b', 'main');
  writeFileSync(join(repo, 'README.md'), '# plan\n');
  git('add', '-A');
  git('commit', '-q', '-m', 'init');
  const agent = join(root, 'agent.sh');
  writeFileSync(agent, AGENT);
  chmodSync(agent, 0o755);
  const plan = join(root, 'plan.yaml');
  writeFileSync(
    plan,
    [
      'project: scratch',
      `dir: ${repo}`,
      'defaults:',
      '  runner: cmd',
      `  runnerOptions: { command: "sh ${agent}", resumeCommand: "sh ${agent} {session}", input: stdin, session: "Session: (\\\\S+)", completion: "^DONE$" }`,
      'phases:',
      '  - { id: "1", title: One, prompt: "Create phase1.txt", files: [phase1.txt] }',
      '  - { id: "2", title: Two, prompt: "Create phase2.txt and phase2late.txt", files: [phase2.txt, phase2late.txt] }',
      '',
    ].join('\n'),
  );
  const mcp = startRawMcp(t, env, repo);
  await mcp.initialize();
  mcp.send(call(1, 'plan_run', { file: plan, noLint: true }));
  const started = await mcp.response(1);
  assert.equal(started.result.isError, undefined, textOf(started));
  const id = /^plan (\S+) started: 1 → 2; next: plan_wait$/.exec(textOf(started))?.[1];
  assert.ok(id, textOf(started));
  t.after(async () => void (await runCli(['plan', 'stop', id], env, 30_000)));

  let chars = textOf(started).length;
  let done = '';
  for (let n = 2; n < 40 && !done; n++) {
    mcp.send(call(n, 'plan_wait', { id, timeoutSeconds: 1 }));
    const answer = await mcp.response(n);
    assert.equal(answer.result.structuredContent, undefined, 'plan_wait answers in text alone');
    const text = textOf(answer);
    chars += text.length;
    if (text.startsWith('done: ')) done = text;
    else {
      assert.match(text, new RegExp(`^not done: plan ${id} running \\S+, phase [12] \\w+ \\([12]/2\\)$`));
      assert.ok(text.length < 100, text);
    }
  }
  assert.ok(done, 'the plan ended');
  assert.match(done, new RegExp(`^done: plan ${id} completed · 2/2 phases committed\\n1 committed \\S+ · [0-9a-f]{7}\\n2 committed \\S+ · 1 resume · [0-9a-f]{7}$`));
  assert.ok(chars < 1_500, `the whole plan cost the lead ${chars} chars`);

  const cli = await runCli(['plan', 'wait', id], env, 30_000);
  assert.equal(cli.code, 0, cli.stderr);
  assert.equal(`done: ${cli.stdout.trimEnd()}`, done, 'baton plan wait prints the same short status');
});
