import { readFile, writeFile } from 'node:fs/promises';
import { BatonError, usageError } from '../../errors.js';
import { countFindings, lintPrompt } from '../../prompts/lint.js';
import type { LintFinding } from '../../prompts/rule.js';
import { RULES } from '../../prompts/rules/index.js';
import { writePhasePrompt } from '../../prompts/template.js';
import { flag, stringOption } from '../args.js';
import type { ParsedArgs } from '../command.js';
import { defineCommand } from '../define.js';
import { rejectForeignOptions, requireOptions } from '../parse.js';
import type { Style } from '../style.js';

const SUBCOMMANDS = ['new', 'lint'] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];

const ruleWidth = Math.max(...RULES.map((r) => r.id.length));

export const promptCommand = defineCommand({
  name: 'prompt',
  summary: 'write a phase prompt from the proven template, or lint one',
  positionals: [],
  subcommands: SUBCOMMANDS.map((name) => ({ name, positionals: name === 'lint' ? [{ name: 'FILE', repeatable: true }] : [] })),
  about: `new   prints the proven phase-prompt template: numbered steps (agents track them as todos), an explicit
      "## Files to Create/Modify" list, heredocs for new files and the Edit tool for existing ones, and
      the verification as the last step. Baton reads the files and the verification back from these
      sections to decide whether a run completed. What you don't give is left as a <placeholder>.
lint  checks prompts against the template's do's and don'ts. Errors exit 1, warnings don't.`,
  options: [
    { name: 'phase', value: 'N', of: ['new'], required: true, description: 'the phase number or label (5, 5b)' },
    { name: 'project', value: 'NAME', of: ['new'], required: true, description: 'the project\'s name' },
    { name: 'description', value: 'D', of: ['new'], description: 'one line: what this phase delivers' },
    { name: 'verify', value: 'CMD', of: ['new'], description: 'the command that proves the phase works, e.g. "cargo check --workspace 2>&1"' },
    { name: 'file', value: 'PATH', of: ['new'], repeatable: true, description: 'a file the phase creates or modifies' },
    { name: 'out', value: 'FILE', of: ['new'], description: 'write the prompt to FILE instead of printing it (refuses to overwrite)' },
    { name: 'force', of: ['new'], description: 'with --out: overwrite FILE if it exists' },
  ],
  json: `new: print {"prompt"} (or {"file","placeholders"} with --out)
lint: print {"files":[{"file","findings":[{"rule","severity","line","message"}]}],"errors","warnings"}`,
  more: `Rules:
${RULES.map((r) => `  ${r.id.padEnd(ruleWidth)}  ${r.severity.padEnd(7)}  ${r.summary}`).join('\n')}

Examples:
  baton prompt new --phase 5 --project quarry --description "integration tests" \\
    --verify "cargo check --workspace 2>&1" --file crates/quarry-core/tests/parse.rs --out /tmp/phase5.txt
  $EDITOR /tmp/phase5.txt && baton prompt lint /tmp/phase5.txt
  baton prompt lint prompts/*.txt --json | jq '.files[] | select(.findings != [])'
  baton run --agent hephaestus --dir ~/repo --prompt-file /tmp/phase5.txt --name phase-5`,
}, {
  async run(args, io) {
    const [sub, ...rest] = args.positionals;
    if (sub === undefined) throw usageError(`baton prompt needs a subcommand: ${SUBCOMMANDS.join(' or ')}`);
    if (!isSubcommand(sub)) throw usageError(`unknown subcommand "${sub}"; valid: ${SUBCOMMANDS.join(', ')}`);
    rejectForeignOptions(promptCommand.definition, args, sub);
    requireOptions(promptCommand.definition, args, sub);
    return sub === 'new' ? promptNew(args, rest, io.style) : promptLint(rest, io.style);
  },
});

function isSubcommand(name: string): name is Subcommand {
  return (SUBCOMMANDS as readonly string[]).includes(name);
}

async function promptNew(args: ParsedArgs, extra: string[], s: Style) {
  if (extra.length > 0) throw usageError(`baton prompt new takes no arguments, got "${extra[0]}"; list files with --file PATH`);
  const phase = stringOption(args, 'phase')!;
  const project = stringOption(args, 'project')!;
  if (!/^\d+[\w.-]*$/.test(phase)) throw usageError(`--phase takes a phase number such as 5 or 5b, got "${phase}"`);
  const description = stringOption(args, 'description');
  const verify = stringOption(args, 'verify');
  const out = stringOption(args, 'out');
  const force = flag(args, 'force');
  if (force && out === undefined) throw usageError('--force only applies with --out FILE');
  const files = Array.isArray(args.values.file) ? args.values.file.map(String) : [];
  const prompt = writePhasePrompt({
    phase,
    project,
    files,
    ...(description !== undefined && { description }),
    ...(verify !== undefined && { verify }),
  });
  if (out === undefined) return { exitCode: 0, json: { prompt }, text: prompt.replace(/\n$/, '') };

  try {
    await writeFile(out, prompt, { flag: force ? 'w' : 'wx' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new BatonError('conflict', `${out} already exists; pass --force to overwrite it`);
    throw usageError(`cannot write --out ${out}: ${(error as Error).message}`);
  }
  const placeholders = lintPrompt(prompt).filter((f) => f.rule === 'unfilled-placeholder').length;
  const next = placeholders > 0 ? `fill in its ${placeholders} <placeholder>s, then baton prompt lint ${out}` : `baton prompt lint ${out}`;
  return {
    exitCode: 0,
    json: { file: out, placeholders },
    text: `${s.green('wrote')} ${out}\n${s.dim(`next: ${next}`)}`,
  };
}

async function promptLint(files: string[], s: Style) {
  if (files.length === 0) throw usageError('baton prompt lint needs at least one FILE');
  // Read every file before reporting on any: a missing one is a usage error, with nothing half-printed.
  const texts = await Promise.all(
    files.map(async (file) => {
      try {
        return await readFile(file, 'utf8');
      } catch (error) {
        throw usageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
      }
    }),
  );
  const results = files.map((file, i) => ({ file, findings: lintPrompt(texts[i] ?? '') }));
  const { errors, warnings } = countFindings(results.flatMap((r) => r.findings));
  const lines = results.flatMap(({ file, findings }) => findings.map((f) => formatFinding(file, f, s)));
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const across = `${plural(files.length, 'file')}`;
  lines.push(
    errors + warnings === 0
      ? s.green(`${across}: no findings`)
      : `${errors > 0 ? s.red(plural(errors, 'error')) : plural(errors, 'error')}, ${warnings > 0 ? s.yellow(plural(warnings, 'warning')) : plural(warnings, 'warning')} in ${across}`,
  );
  return { exitCode: errors > 0 ? 1 : 0, json: { files: results, errors, warnings }, text: lines.join('\n') };
}

function formatFinding(file: string, finding: LintFinding, s: Style): string {
  const severity = finding.severity === 'error' ? s.red('error') : s.yellow('warning');
  return `${s.bold(`${file}:${finding.line}:`)} ${severity} ${s.dim(finding.rule)}: ${finding.message}`;
}
