import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILTIN_ROUTES, loadRoutingTable, resolveAutoAgent, routeTask } from '../../src/plans/route.js';
import { routeCommand } from '../../src/cli/commands/route.js';
import { BatonError } from '../../src/errors.js';
import { runInProcess } from '../cli/in-process.js';
import { writePhasePrompt } from '../../src/prompts/index.js';

function tempHome(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'baton-route-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const route = (argv: string[], env: NodeJS.ProcessEnv) => runInProcess(routeCommand, argv, env);

const TYPICAL: [string, string, string[]][] = [
  ['oracle', 'Why does the file watcher miss events? Looks like a race condition in the debounce', ['why', 'race condition']],
  ['oracle', 'Debugging the deadlock in the scheduler; explain the architecture', ['debugging', 'deadlock', 'architecture']],
  ['prometheus', 'Write a design doc and break down the storage migration', ['design doc', 'break down']],
  ['prometheus', 'Plan the search work before anyone starts', ['plan']],
  ['explore', 'Fix the typo in the README', ['typo']],
  ['explore', 'Create a new file with a few simple stubs', ['create a new file', 'simple', 'stubs']],
  ['explore', 'Rename parse_args to parseArgs', ['rename']],
  ['sisyphus', 'Implement the HTTP transport and integrate it across the server, client and CLI modules', ['implement', 'integrate', 'across', 'modules']],
  ['hephaestus', 'Refactor the existing code of the parser: understand it first, and make the tests match real behaviour', ['refactor', 'existing code', 'understand', 'tests match', 'real behaviour']],
  // The seed's "planning before implementation": the request is the plan, implementing comes after.
  ['prometheus', 'Plan the new cache before implementing it: its architecture and its interface', ['plan', 'before implementing']],
  // The seed's "fast file creation": a list of files to create, even when the files are tests.
  ['explore', 'Create the files from this list: a test for the parser in tests/parse.rs, a test for the CLI in tests/cli.rs', ['create the files']],
];

test('each agent is chosen for a typical task, and the reason names the deciding words', () => {
  for (const [agent, task, words] of TYPICAL) {
    const decision = routeTask(task, BUILTIN_ROUTES);
    assert.equal(decision.agent, agent, `${task}: ${decision.reason}`);
    assert.deepEqual(decision.matched, words, task);
    for (const word of words) assert.ok(decision.reason.includes(`"${word}"`), `${decision.reason} names "${word}"`);
    assert.ok(decision.reason.includes(`→ ${agent}`), decision.reason);
    assert.equal(decision.model, undefined, 'no model by default: the runner decides');
    assert.equal(decision.unsure, undefined, `${task}: ${decision.unsure}`);
    assert.deepEqual(Object.keys(decision.scores), ['hephaestus', 'oracle', 'sisyphus', 'prometheus', 'explore']);
  }
});

test('many named files vote for sisyphus, and paths never count as words', () => {
  const decision = routeTask('Add a --json flag to src/cli.ts, src/format.ts, src/main.ts and src/args.ts');
  assert.equal(decision.agent, 'sisyphus');
  assert.match(decision.reason, /names 4 files/);
  // "plans" inside a path is not a vote for planning.
  assert.equal(routeTask('Touch src/plans/x.ts').scores.prometheus, 0);
});

test('a word in the request outweighs the same kind of word in passing, and a side remark counts nothing', () => {
  // Both name a bug and a plan; the first sentence's request decides.
  assert.equal(routeTask('Debug the crash in the exporter. The plan is in the wiki.').agent, 'oracle');
  assert.equal(routeTask('Plan the exporter. The crash in it is known.').agent, 'prometheus');
  const aside = routeTask('Rename parse_args to parseArgs before implementing the new CLI modules');
  assert.equal(aside.agent, 'explore', aside.reason);
  assert.equal(aside.scores.sisyphus, 0, 'implementing and modules are in a side remark');
});

test('nothing matched, a tie, or only words in passing: the answer says it is unsure, and why', () => {
  const none = routeTask('hello world');
  assert.equal(none.agent, 'hephaestus');
  assert.match(none.reason, /no routing keywords matched; hephaestus is the default/);
  assert.match(none.unsure ?? '', /nothing in the task says what kind of work it is/);
  const tie = routeTask('refactor the typo');
  assert.equal(tie.scores.hephaestus, 3);
  assert.equal(tie.scores.explore, 3);
  assert.equal(tie.agent, 'hephaestus');
  assert.match(tie.reason, /tied with explore 3, hephaestus comes first/);
  assert.match(tie.unsure ?? '', /hephaestus and explore score the same/);
  const passing = routeTask('Look at the parser. It has a memory leak, and the docs mention a roadmap, a milestone and an outline.');
  assert.equal(passing.agent, 'prometheus', passing.reason);
  assert.match(passing.unsure ?? '', /only on words mentioned in passing/);
  assert.deepEqual(routeTask(TYPICAL[0]![1]), routeTask(TYPICAL[0]![1]));
});

test('resolveAutoAgent ignores the phase template boilerplate', () => {
  const prompt = writePhasePrompt({
    phase: 3,
    project: 'quarry',
    description: 'find why the indexer deadlocks under load',
    verify: 'cargo test --workspace',
    files: ['crates/index/src/lib.rs'],
    steps: ['Add tracing around the lock in crates/index/src/lib.rs'],
  });
  const decision = resolveAutoAgent(prompt, BUILTIN_ROUTES);
  assert.equal(decision.agent, 'oracle', decision.reason);
  assert.deepEqual(decision.matched, ['why', 'deadlocks']);
  // The template's own words ("implementing", "EXISTING file", "<…codebase…>") vote for nobody.
  const empty = resolveAutoAgent(writePhasePrompt({ phase: 1, project: 'p' }), BUILTIN_ROUTES);
  assert.ok(Object.values(empty.scores).every((s) => s === 0), JSON.stringify(empty.scores));
});

test('a config file overrides a model, adds keywords and agents, and can change the default', (t) => {
  const home = tempHome(t);
  writeFileSync(
    join(home, 'routing.json'),
    JSON.stringify({
      default: 'sisyphus',
      agents: {
        oracle: { model: 'openrouter/qwen3-next-80b-a3b-thinking', keywords: ['heisenbug'] },
        scribe: { bestAt: 'documentation', keywords: ['changelog'], model: 'z-ai/glm4.7' },
      },
    }),
  );
  const table = loadRoutingTable(home);
  assert.equal(table.default, 'sisyphus');
  assert.deepEqual(table.sources, [join(home, 'routing.json')]);
  assert.ok(table.agents.oracle?.keywords.includes('debug'), 'built-in keywords are kept');
  const heisen = routeTask('chase the heisenbug in the cache', table);
  assert.equal(heisen.agent, 'oracle');
  assert.equal(heisen.model, 'openrouter/qwen3-next-80b-a3b-thinking');
  assert.match(heisen.reason, /"heisenbug"/);
  assert.equal(routeTask('update the changelog', table).agent, 'scribe');
  assert.equal(routeTask('hello', table).agent, 'sisyphus');
  // Untouched agents keep the runner's default model; the built-in table is not changed.
  assert.equal(table.agents.explore?.model, undefined);
  assert.equal(BUILTIN_ROUTES.agents.oracle?.model, undefined);
  assert.ok(!BUILTIN_ROUTES.agents.oracle?.keywords.includes('heisenbug'));
});

test('no routing.json: the built-in table; a given file that is missing is an error', (t) => {
  const home = tempHome(t);
  assert.deepEqual(loadRoutingTable(home), BUILTIN_ROUTES);
  assert.throws(() => loadRoutingTable(home, join(home, 'nope.json')), /nope\.json: cannot read the routing table: no such file/);
});

test('a bad config is refused, naming the file and the field', (t) => {
  const home = tempHome(t);
  const file = join(home, 'routing.json');
  const refused = (config: string, message: RegExp) => {
    writeFileSync(file, config);
    assert.throws(
      () => loadRoutingTable(home),
      (error: unknown) => {
        assert.ok(error instanceof BatonError, String(error));
        assert.equal(error.kind, 'usage');
        assert.ok(error.message.startsWith(`${file}: `), error.message);
        assert.match(error.message, message);
        return true;
      },
    );
  };
  refused(JSON.stringify({ agents: { oracle: { model: 42 } } }), /agents\.oracle\.model: /);
  refused(JSON.stringify({ agents: { oracle: { keywords: ['ok', ''] } } }), /agents\.oracle\.keywords\[1\]: a keyword cannot be empty/);
  refused(JSON.stringify({ agents: { oracle: { modle: 'x' } } }), /agents\.oracle\.modle: unknown field/);
  refused(JSON.stringify({ agents: { scribe: { keywords: ['docs'] } } }), /agents\.scribe\.bestAt: "scribe" is not a built-in agent/);
  refused(JSON.stringify({ default: 'nobody' }), /default: unknown agent "nobody"/);
  refused('{ "agents": ', /invalid JSON/);
});

test('baton route --json prints {agent, model, reason}; text is one line plus the reason', async (t) => {
  const home = tempHome(t);
  const json = await route(['--json', 'why', 'does', 'this', 'race?'], { BATON_HOME: home });
  assert.equal(json.exitCode, 0);
  assert.deepEqual(Object.keys(json.json as object), ['agent', 'model', 'reason', 'unsure']);
  assert.equal((json.json as { agent: string }).agent, 'oracle');
  assert.equal((json.json as { model: unknown }).model, null);
  assert.equal((json.json as { unsure: unknown }).unsure, null);
  assert.match((json.json as { reason: string }).reason, /"why", "race"/);
  const guess = await route(['--json', 'hello', 'world'], { BATON_HOME: home });
  assert.match((guess.json as { unsure: string }).unsure, /nothing in the task says/);
  assert.match((await route(['hello', 'world'], { BATON_HOME: home })).text ?? '', /\n {2}unsure nothing in the task says what kind of work it is$/);
  assert.equal(json.stdout, '', 'the command leaves printing to bin/');

  const table = join(home, 'mine.json');
  writeFileSync(table, JSON.stringify({ agents: { explore: { model: 'fast/model' } } }));
  const text = await route(['fix the typo', '--table', table], { BATON_HOME: home });
  assert.equal(text.text, `explore  fast/model\n  reason asks for "typo" → explore, fast file creation and simple edits (score 3)`);
});

test('baton route: no text is a usage error; a bad --table names its field', async (t) => {
  const home = tempHome(t);
  await assert.rejects(route([], { BATON_HOME: home }), (e: unknown) => e instanceof BatonError && e.kind === 'usage' && /needs the task text/.test(e.message));
  const bad = join(home, 'bad.json');
  writeFileSync(bad, JSON.stringify({ agents: { oracle: { bestAt: 7 } } }));
  await assert.rejects(route(['x', '--table', bad], { BATON_HOME: home }), /bad\.json: agents\.oracle\.bestAt/);
});
