import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintPrompt, type LintFinding } from '../../src/prompts/index.js';

/** A prompt in the proven shape; every rule passes on it. Line numbers are noted for the variants below. */
function prompt(options: { files?: string[]; steps?: string[]; project?: string } = {}): string {
  const files = options.files ?? ['- `crates/quarry-core/tests/parse.rs`', '- `crates/quarry-cli/Cargo.toml`'];
  const steps = options.steps ?? [
    '1. Read crates/quarry-core/src/lib.rs to learn `parse_line`',
    '2. Add `tempfile` as a dev-dependency in crates/quarry-cli/Cargo.toml',
    '3. Write tests for `parse_line` in crates/quarry-core/tests/parse.rs',
    '4. Run `cargo check --workspace 2>&1`, fix any errors and re-run until it passes, then report final result',
  ];
  return [
    'You are implementing Phase 5 of quarry: integration tests.', // 1
    '', // 2
    '## Project', // 3
    options.project ?? 'A Rust workspace with crates quarry-core and quarry-cli.', // 4
    '', // 5
    '## CRITICAL INSTRUCTIONS', // 6
    "- For NEW files: use `cat > /path <<'EOF' ... EOF`", // 7
    '- For EXISTING file modifications: use Edit tool (read first, then edit)', // 8
    '- Final step: run `cargo check --workspace 2>&1` and fix any errors', // 9
    '- Report final result', // 10
    '', // 11
    '## Files to Create/Modify', // 12
    ...files, // 13, 14
    '', // 15
    '## Steps', // 16
    ...steps, // 17…
    '',
  ].join('\n');
}
// With the default two files, the steps start on line 17.
const STEP = (n: number) => 16 + n;

function only(findings: LintFinding[], rule: string): LintFinding[] {
  return findings.filter((f) => f.rule === rule);
}

function assertOne(text: string, rule: string, severity: 'error' | 'warning', line: number): LintFinding {
  const findings = only(lintPrompt(text), rule);
  assert.equal(findings.length, 1, `expected one ${rule}, got ${JSON.stringify(lintPrompt(text), null, 2)}`);
  const [finding] = findings;
  assert.equal(finding?.severity, severity);
  assert.equal(finding?.line, line);
  return finding!;
}

function assertNone(text: string, rule?: string): void {
  const findings = rule ? only(lintPrompt(text), rule) : lintPrompt(text);
  assert.deepEqual(findings, []);
}

test('the model prompt has no findings at all', () => {
  assertNone(prompt());
});

test('numbered-steps: no steps anywhere is an error on line 1', () => {
  const finding = assertOne('Fix the bug in src/index.ts please.\n\n## Files to Create/Modify\n- `src/index.ts`\n', 'numbered-steps', 'error', 1);
  assert.match(finding.message, /## Steps/);
});

test('numbered-steps: a Steps section of bullets is an error on its heading', () => {
  assertOne(prompt({ steps: ['- Write the tests', '- Run `cargo test`'] }), 'numbered-steps', 'error', 16);
});

test('numbered-steps: numbered lines without a Steps heading are an error where they start', () => {
  const text = ['Do this:', '', '## Files to Create/Modify', '- `a/b.ts`', '', 'Then:', '1. Edit `a/b.ts`', '2. Run `npm test`', ''].join('\n');
  const finding = assertOne(text, 'numbered-steps', 'error', 7);
  assert.match(finding.message, /heading/);
});

test('numbered-steps: passes with numbered steps under ## Steps', () => {
  assertNone(prompt(), 'numbered-steps');
});

test('verification-last: a last step that only reports is an error pointing at the earlier verification', () => {
  const text = prompt({ steps: ['1. Write tests for `parse_line` in crates/quarry-core/tests/parse.rs', '2. Run `cargo test --workspace` and fix errors', '3. Report final result'] });
  const finding = assertOne(text, 'verification-last', 'error', STEP(3));
  assert.match(finding.message, /step 2/);
});

test('verification-last: a last step running a command that checks nothing is an error', () => {
  const text = prompt({ steps: ['1. Write tests for `parse_line` in crates/quarry-core/tests/parse.rs', '2. Run `git status` and report'] });
  assert.match(assertOne(text, 'verification-last', 'error', STEP(2)).message, /git status/);
});

test('verification-last: a backticked file in the last step is not a command', () => {
  const text = prompt({ steps: ['1. Write tests for `parse_line`', '2. Check `crates/quarry-core/tests/parse.rs` compiles'] });
  assertOne(text, 'verification-last', 'error', STEP(2));
});

test('verification-last: passes for quoted and unquoted checkers in the last step', () => {
  assertNone(prompt(), 'verification-last');
  for (const last of ['Run cargo test --workspace 2>&1, fix errors, report final result', 'Run `npm test` and fix any failures', 'Run `pytest -q`', 'Run `go test ./...`', 'Run `make check`', 'Run `npx tsc -p .`', 'Run `./scripts/check.sh` until it passes']) {
    assertNone(prompt({ steps: ['1. Write tests for `parse_line` in crates/quarry-core/tests/parse.rs', `2. ${last}`] }), 'verification-last');
  }
});

test('files-through-script: "use a python script to write files" is an error on its line', () => {
  const text = prompt({ project: 'A Rust workspace. Use a python script to write the test files.' });
  assertOne(text, 'files-through-script', 'error', 4);
});

test('files-through-script: "generate the files with a node script" in a step is an error on the step', () => {
  const text = prompt({
    steps: ['1. Generate the files with a node script', '2. Run `cargo check --workspace 2>&1`, fix any errors and re-run until it passes'],
  });
  assertOne(text, 'files-through-script', 'error', STEP(1));
});

test('files-through-script: passes when the prompt warns against it, or shows it in a code fence', () => {
  assertNone(prompt({ project: 'A Rust workspace. Do not use Python scripts to write files.' }), 'files-through-script');
  assertNone(prompt({ project: 'Bad prompts say:\n```\nuse a python script to write files\n```' }), 'files-through-script');
  assertNone(prompt(), 'files-through-script');
});

test('vague-step: "update the CLI" and "clean up" are warnings on their steps', () => {
  const text = prompt({
    steps: ['1. Update the CLI', '2. Write tests for `parse_line` in crates/quarry-core/tests/parse.rs', '3. Clean up', '4. Run `cargo test --workspace`, fix errors, report final result'],
  });
  const findings = only(lintPrompt(text), 'vague-step');
  assert.deepEqual(findings.map((f) => [f.severity, f.line]), [['warning', STEP(1)], ['warning', STEP(3)]]);
  assert.match(findings[0]!.message, /Update the CLI/);
});

test('vague-step: passes when the step names a file, a symbol or a flag', () => {
  for (const step of ['Update `parseArgs` to accept --json', 'Improve error messages in src/cli/args.ts', 'Fix readPromptSpec for headings in fences', 'Clean up parse_line', 'Update the CLI with a --verbose flag']) {
    assertNone(prompt({ steps: [`1. ${step}`, '2. Run `npm test`, fix errors, report final result'] }), 'vague-step');
  }
});

test('verification-priority: two checks in the last step without an order is a warning', () => {
  const text = prompt({ steps: ['1. Write tests for `parse_line`', '2. Run `cargo check --workspace` and `cargo test --workspace`, fix errors, report final result'] });
  const finding = assertOne(text, 'verification-priority', 'warning', STEP(2));
  assert.match(finding.message, /Baton judges the run by `cargo check --workspace`/);
  const bare = prompt({ steps: ['1. Write tests for `parse_line`', '2. Run cargo check --workspace and cargo test --workspace, fix errors'] });
  assertOne(bare, 'verification-priority', 'warning', STEP(2));
});

test('verification-priority: passes with "first … then" or "if … passes", or with one command', () => {
  for (const last of [
    'Run `cargo check --workspace` first, then `cargo test --workspace`; fix errors',
    'Run `cargo check --workspace`; if it passes, run `cargo test --workspace`',
    'Run `cargo check --workspace 2>&1` and fix errors until it is clean',
  ]) {
    assertNone(prompt({ steps: ['1. Write tests for `parse_line`', `2. ${last}`] }), 'verification-priority');
  }
});

test('files-section: a prompt without one is an error on line 1', () => {
  const text = 'You are implementing Phase 1 of x: y.\n\n## Steps\n1. Edit `src/a.ts`\n2. Run `npm test`\n';
  assert.match(assertOne(text, 'files-section', 'error', 1).message, /Files to Create\/Modify/);
});

test('files-section: a section that lists no paths is an error on its heading', () => {
  assertOne(prompt({ files: ['The usual ones.'] }), 'files-section', 'error', 12);
});

test('files-section: passes with listed paths, or with a placeholder left for the author', () => {
  assertNone(prompt(), 'files-section');
  assertNone(prompt({ files: ['<explicit list with exact paths>'] }), 'files-section');
});

test('files-not-listed: a file a step writes but the list lacks is a warning on the line that names it', () => {
  const text = prompt({
    steps: [
      '1. Write tests for `parse_line` in crates/quarry-core/tests/parse.rs',
      '2. Add a fixture',
      '   in `crates/quarry-core/tests/fixtures/basic.txt`',
      '3. Run `cargo test --workspace`, fix errors, report final result',
    ],
  });
  const finding = assertOne(text, 'files-not-listed', 'warning', STEP(3));
  assert.match(finding.message, /crates\/quarry-core\/tests\/fixtures\/basic\.txt/);
});

test('files-not-listed: passes for listed files, files only read, and files deleted', () => {
  assertNone(prompt(), 'files-not-listed');
  const text = prompt({
    steps: [
      '1. Read src/lib.rs, src/parse.rs and `Cargo.toml` first',
      '2. Delete crates/quarry-core/tests/old.rs',
      '3. Write tests in `tests/parse.rs` modeled on crates/quarry-cli/tests/cli.rs',
      '4. Run `cargo test --workspace`, fix errors, report final result',
    ],
  });
  assertNone(text, 'files-not-listed');
});

test('unfilled-placeholder: each <…> left in is a warning on its line', () => {
  const text = prompt({ project: '<brief codebase description>' }).replace('Phase 5 of quarry', 'Phase 5 of <project>');
  const findings = only(lintPrompt(text), 'unfilled-placeholder');
  assert.deepEqual(findings.map((f) => [f.severity, f.line, f.message]), [
    ['warning', 1, 'unfilled placeholder <project>'],
    ['warning', 4, 'unfilled placeholder <brief codebase description>'],
  ]);
});

test('unfilled-placeholder: generics, tags, autolinks, heredocs and comparisons are not placeholders', () => {
  const text = prompt({ project: 'Returns Vec<String> and Option<T>; see <https://example.com>, <br>, <a href="x">, a < b > c, `cat <<EOF`.' });
  assertNone(text, 'unfilled-placeholder');
});

test('findings come sorted by line, errors first on the same line', () => {
  const text = 'Update the thing <here>\n';
  const findings = lintPrompt(text);
  assert.deepEqual(findings.map((f) => f.line), [...findings.map((f) => f.line)].sort((a, b) => a - b));
  assert.deepEqual(findings.filter((f) => f.line === 1).map((f) => f.severity), ['error', 'error', 'error', 'warning', 'warning']);
});

// The same request in every shape a prompt takes: a vague "Update the CLI" and three checks with no order.
const CHECKS = ['cargo check --workspace', 'cargo test --workspace', 'cargo clippy --workspace'];
const SHAPES: Record<string, { text: string; vague: number; checks: number }> = {
  'plain sentences': {
    text: [
      'You are implementing Phase 3 of quarry: the export command.',
      'Add an `export` subcommand in crates/quarry-cli/src/export.rs that writes the index as JSON.',
      'Update the CLI.',
      `When you are done, run ${CHECKS[0]}, ${CHECKS[1]} and ${CHECKS[2]}.`,
    ].join('\n'),
    vague: 3,
    checks: 4,
  },
  'one paragraph, the checks in backticks': {
    text: `Add an \`export\` subcommand in crates/quarry-cli/src/export.rs. Update the CLI. Run \`${CHECKS[0]}\`. Run \`${CHECKS[1]}\`. Run \`${CHECKS[2]}\`.`,
    vague: 1,
    checks: 1,
  },
  bullets: {
    text: ['## Files to Create/Modify', '- `crates/quarry-cli/src/export.rs`', '', '## Work', '- Write `export` in crates/quarry-cli/src/export.rs', '- Update the CLI', '- Verify with:', ...CHECKS.map((c) => `  - \`${c}\``)].join('\n'),
    vague: 6,
    checks: 8,
  },
  'numbered without a Steps heading': {
    text: ['## Task', '1. Write `export` in crates/quarry-cli/src/export.rs', '2. Update the CLI', `3. Run \`${CHECKS[0]}\`, \`${CHECKS[1]}\` and \`${CHECKS[2]}\``].join('\n'),
    vague: 3,
    checks: 4,
  },
  'numbered steps': {
    text: prompt({ steps: ['1. Write tests for `parse_line` in crates/quarry-core/tests/parse.rs', '2. Update the CLI', `3. Run \`${CHECKS[0]}\`, \`${CHECKS[1]}\` and \`${CHECKS[2]}\``] }),
    vague: STEP(2),
    checks: STEP(3),
  },
};

test('vague-step and verification-priority apply whatever the prompt\'s shape', () => {
  for (const [shape, { text, vague, checks }] of Object.entries(SHAPES)) {
    const findings = lintPrompt(text);
    const vagueHits = only(findings, 'vague-step');
    assert.deepEqual(vagueHits.map((f) => f.line), [vague], `${shape}: ${JSON.stringify(findings, null, 2)}`);
    assert.match(vagueHits[0]!.message, /"Update the CLI\.?" is vague/, shape);
    const priority = only(findings, 'verification-priority');
    assert.deepEqual(priority.map((f) => [f.severity, f.line]), [['warning', checks]], `${shape}: ${JSON.stringify(findings, null, 2)}`);
    for (const check of CHECKS) assert.ok(priority[0]!.message.includes(`\`${check}\``), `${shape}: ${priority[0]!.message}`);
  }
});

test('in prose, a stated order, a description or a named file is not a finding', () => {
  const text = [
    'A tool to update records and improve search, e.g. the index. It handles many files.',
    'Update `export_index` in crates/quarry-cli/src/export.rs.',
    `Run \`${CHECKS[0]}\` first; once it passes, run \`${CHECKS[1]}\`.`,
    '',
    '- Check formatting:',
    `- \`${CHECKS[0]}\``,
    `- then \`${CHECKS[2]}\``,
  ].join('\n');
  const findings = lintPrompt(text);
  assert.deepEqual(only(findings, 'vague-step'), []);
  assert.deepEqual(only(findings, 'verification-priority'), []);
});

test('verification-last: without numbered steps, the last thing asked must be the verification', () => {
  const none = 'Add `export` to crates/quarry-cli/src/export.rs.\nThen write its tests.\n';
  assert.match(assertOne(none, 'verification-last', 'error', 2).message, /runs no verification command/);
  const early = 'Run `cargo test --workspace` until it passes.\n\n- Add `export` to crates/quarry-cli/src/export.rs\n';
  assert.match(assertOne(early, 'verification-last', 'error', 3).message, /`cargo test --workspace` \(line 1\) is not the last/);
  assertNone('Add `export` to crates/quarry-cli/src/export.rs, then run `cargo test --workspace`. Report the final result.\n', 'verification-last');
});

test('files-not-listed: a sentence or an item naming a file the list lacks is a warning on its line', () => {
  const text = ['## Files to Create/Modify', '- `src/a.ts`', '', '## Work', 'Edit src/a.ts to call `b()`.', 'Then create the helper', 'in src/b.ts.', '- Add src/c.ts too', ''].join('\n');
  const findings = only(lintPrompt(text), 'files-not-listed');
  assert.deepEqual(findings.map((f) => [f.line, /`(src\/\w\.ts)`/.exec(f.message)?.[1]]), [[7, 'src/b.ts'], [8, 'src/c.ts']]);
  assert.match(findings[0]!.message, /^the sentence names/);
  assert.match(findings[1]!.message, /^the item names/);
});
