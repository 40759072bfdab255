/**
 * Each command's --help and its parser come from one definition; these tests make sure they agree:
 * every option the help shows is accepted, and every option the parser accepts is shown.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatonError } from '../../src/errors.js';
import type { Command } from '../../src/cli/command.js';
import { loadAllCommands } from '../../src/cli/commands/index.js';
import { parseCommandArgs } from '../../src/cli/parse.js';
import { runCli } from '../e2e/harness.js';

/** Flags of other programs that a help names on purpose (mcp teaches claude's --allowedTools). */
const FOREIGN: Record<string, readonly string[]> = { mcp: ['--allowedTools'] };

/**
 * Quoted text is a prompt, a command of another program or JSON, and what is piped or chained to another
 * program is that program's: their dashes are not Baton's flags.
 */
function unquoted(help: string): string {
  return help
    .split('\n')
    .map((line) =>
      line
        .replace(/"[^"\n]*"/g, '""')
        .replace(/`[^`\n]*`/g, '``')
        .replace(/(^|[\s=(])'[^'\n]*'/g, "$1''")
        .replace(/(\||&&)\s*(?!baton\b)\S[^;|&]*/g, '$1'),
    )
    .join('\n');
}

/**
 * Every long flag the help names anywhere, and the short ones of its usage and option lines, each with
 * the command it belongs to: flags after \`baton OTHER\` in an example (up to ; | & or ")") are OTHER's.
 */
function flagsShown(help: string, own: string, commands: readonly string[]): { flag: string; owner: string }[] {
  const found: { flag: string; owner: string }[] = [];
  for (const line of unquoted(help).split('\n')) {
    const withShort = /^(Usage: |\s+baton |\s+-)/.test(line);
    const pattern = withShort ? /(?<![\w-])(?:--[A-Za-z][\w-]*|-[A-Za-z](?![\w-]))/g : /(?<![\w-])--[A-Za-z][\w-]*/g;
    const other = [...line.matchAll(/\bbaton ([a-z-]+)[^;|&)]*/g)].filter((m) => m[1] !== own && commands.includes(m[1]!));
    for (const match of line.matchAll(pattern)) {
      const at = match.index!;
      const owner = other.find((m) => at > m.index! && at < m.index! + m[0].length)?.[1] ?? own;
      found.push({ flag: match[0], owner });
    }
  }
  return found;
}

/** The option lines of the help's Options sections: flag, short flag and whether a value name follows. */
function optionLines(help: string): { long: string; short?: string; value: boolean }[] {
  const sections = help.split('\n\n').filter((block) => /^Options( \([^)]*\))?:\n/.test(block));
  return sections.flatMap((block) =>
    block
      .split('\n')
      .slice(1)
      .flatMap((line) => {
        const match = /^ {2}(?:-([A-Za-z]), )?(--[\w-]+)( \S+)? {2,}/.exec(line);
        return match ? [{ long: match[2]!, ...(match[1] !== undefined && { short: `-${match[1]}` }), value: match[3] !== undefined }] : [];
      }),
  );
}

/** Whether the parser takes `flag` (alone: one that needs a value fails only for the missing value). */
function accepts(command: Command, flag: string): boolean {
  try {
    parseCommandArgs(command.definition, [flag]);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return true;
    if (error instanceof BatonError && /^unknown option/.test(error.message)) return false;
    throw error;
  }
}

/** What the parser says it takes, from its own unknown-option error. */
function parserOptions(command: Command): string[] {
  try {
    parseCommandArgs(command.definition, ['--no-such-option']);
  } catch (error) {
    const match = /takes (.*?)(?:\. |$)/.exec((error as Error).message);
    assert.ok(match, (error as Error).message);
    return match[1]!.split(', ').flatMap((name) => name.split('/'));
  }
  assert.fail(`baton ${command.name} accepted --no-such-option`);
}

test('every command: each option the help shows is accepted, and each option the parser takes is shown', async () => {
  const commands = await loadAllCommands();
  assert.ok(commands.length >= 17, `${commands.length} commands`);
  const byName = new Map(commands.map((c) => [c.name, c]));
  for (const command of commands) {
    const help = command.help;
    const shown = flagsShown(help, command.name, [...byName.keys()]);
    const foreign = FOREIGN[command.name] ?? [];
    for (const { flag, owner } of shown) {
      if (foreign.includes(flag)) {
        assert.ok(!accepts(command, flag), `baton ${command.name}: ${flag} is listed as another program's flag, but the parser takes it`);
        continue;
      }
      assert.ok(accepts(byName.get(owner)!, flag), `baton ${command.name} --help shows ${flag} for baton ${owner}, whose parser refuses it`);
    }
    for (const flag of foreign) assert.ok(shown.some((s) => s.flag === flag), `baton ${command.name}: the allowance for ${flag} is stale`);

    const listed = optionLines(help);
    const taken = parserOptions(command);
    assert.ok(taken.includes('--json') && taken.includes('--help') && taken.includes('-h'), `baton ${command.name}: --json and --help everywhere`);
    for (const flag of taken) {
      assert.ok(listed.some((o) => o.long === flag || o.short === flag), `baton ${command.name} takes ${flag}, which its help does not list`);
    }
    assert.deepEqual(listed.map((o) => o.long).sort(), [...new Set(taken.filter((f) => f.startsWith('--')))].sort(), `baton ${command.name}: Options lists what the parser takes`);
    assert.match(help, new RegExp(`^Usage: baton ${command.name}`), command.name);
  }
});

test('a value name in the help means the parser wants a value, and its absence means a flag', async () => {
  for (const command of await loadAllCommands()) {
    for (const option of optionLines(command.help)) {
      let missingValue = false;
      try {
        parseCommandArgs(command.definition, [option.long]);
      } catch (error) {
        missingValue = (error as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE';
      }
      assert.equal(missingValue, option.value, `baton ${command.name} ${option.long}`);
    }
  }
});

test('the check can fail: a flag named only in free text is caught, and one of another command is checked against it', async () => {
  const [run] = await loadAllCommands();
  const names = ['run', 'status'];
  const drifted = flagsShown(`${run!.help}\n  baton run --promptfile x`, 'run', names);
  assert.ok(drifted.some((s) => s.flag === '--promptfile' && s.owner === 'run'));
  assert.ok(!accepts(run!, '--promptfile'));
  assert.deepEqual(flagsShown('baton run "Add a --verbose flag"', 'run', names), [], 'quoted text is not a flag');
  assert.deepEqual(flagsShown('  baton status --json | jq -r .id && git log --oneline', 'run', names), [{ flag: '--json', owner: 'status' }], 'nor what is piped on');
  assert.deepEqual(flagsShown('  then baton status ID --full; or --dir', 'run', names), [
    { flag: '--full', owner: 'status' },
    { flag: '--dir', owner: 'run' },
  ]);
});

test('an unknown option names the command and its valid options; parseArgs would name neither', () => {
  return loadAllCommands().then((commands) => {
    const list = commands.find((c) => c.name === 'list')!;
    assert.throws(
      () => parseCommandArgs(list.definition, ['--bogus']),
      (e: unknown) => e instanceof BatonError && e.kind === 'usage' && e.message === 'unknown option --bogus; baton list takes --state, --dir, --limit, --json, -h/--help',
    );
    const run = commands.find((c) => c.name === 'run')!;
    assert.throws(() => parseCommandArgs(run.definition, ['-x literally']), /unknown option -x \(in "-x literally"\); baton run takes .*An argument that starts with "-" goes after --, as in: baton run \[options\] -- "-x literally"/);
    assert.deepEqual(parseCommandArgs(run.definition, ['--dir', '.', '--', '-x literally']).positionals, ['-x literally']);
    const tail = commands.find((c) => c.name === 'tail')!;
    assert.throws(() => parseCommandArgs(tail.definition, ['abc', '-fx']), (e: unknown) => e instanceof Error && /^unknown option -x \(in "-fx"\); baton tail takes -n\/--lines, -f\/--follow, --raw, --json, -h\/--help$/.test(e.message));
  });
});

// The real binary, for a few commands: the flags its --help prints all parse (given with --help, nothing runs).
test('through bin/baton.js: the options each --help prints are accepted together, and a bogus one is refused naming them', async () => {
  const env = { ...process.env, BATON_HOME: mkdtempSync(join(tmpdir(), 'baton-definitions-')), NO_COLOR: '1' };
  for (const name of ['run', 'tail', 'plan', 'prompt', 'mock-model']) {
    const help = await runCli([name, '--help'], env);
    assert.equal(help.code, 0, help.stderr);
    const options = optionLines(help.stdout).filter((o) => o.long !== '--help');
    assert.ok(options.length >= 2, `${name}: ${help.stdout}`);
    const argv = options.flatMap((o) => (o.value ? [o.long, '1'] : [o.long]));
    const all = await runCli([name, ...argv, '--help'], env);
    assert.equal(all.code, 0, `baton ${name} ${argv.join(' ')}: ${all.stderr}`);
    assert.equal(all.stdout, help.stdout);
    const bogus = await runCli([name, '--bogus', '--json'], env);
    assert.equal(bogus.code, 2);
    assert.equal(bogus.json.error.kind, 'usage');
    for (const o of options) assert.ok(bogus.json.error.message.includes(o.long), `${name}: the error names ${o.long}: ${bogus.json.error.message}`);
  }
});

test('a default in a definition is what the parser gives and what the help says', async () => {
  let checked = 0;
  for (const command of await loadAllCommands()) {
    const parsed = parseCommandArgs(command.definition, []);
    for (const option of command.definition.options) {
      if (option.default === undefined) continue;
      // A default would count as given, and rejectForeignOptions would refuse it for the other subcommands.
      assert.equal(option.of, undefined, `baton ${command.name} --${option.name}: an option of some subcommands takes no default`);
      assert.equal(parsed.values[option.name], option.default, `baton ${command.name} --${option.name}`);
      const lines = command.help.split('\n');
      const first = lines.findIndex((line) => new RegExp(`^ {2}(-\\w, )?--${option.name} `).test(line));
      const next = lines.findIndex((line, i) => i > first && !/^ {4,}\S/.test(line));
      assert.ok(first >= 0 && lines.slice(first, next).join(' ').includes(`(default: ${option.default})`), `baton ${command.name} --${option.name}`);
      checked++;
    }
  }
  assert.ok(checked >= 3, `${checked} defaults`);
});
