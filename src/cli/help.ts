import type { CommandDefinition, OptionDefinition, PositionalDefinition } from './command.js';
import { allOptions, commonOptions } from './parse.js';

/** Past this a usage line lists its options as [options] and leaves them to the Options section. */
const USAGE_WIDTH = 100;

function positional(p: PositionalDefinition): string {
  const name = p.repeatable ? `${p.name}…` : p.name;
  return p.optional ? `[${name}]` : name;
}

function inlineOption(o: OptionDefinition): string {
  const name = o.short !== undefined ? `-${o.short}` : `--${o.name}`;
  const item = `${name}${o.value !== undefined ? ` ${o.value}` : ''}`;
  const optional = o.required ? item : `[${item}]`;
  return o.repeatable ? `${optional}…` : optional;
}

function usageLine(words: string[], options: readonly OptionDefinition[]): string {
  const required = options.filter((o) => o.required).map(inlineOption);
  const inline = [...words, ...required, ...options.filter((o) => !o.required).map(inlineOption), '[--json]'].join(' ');
  return inline.length + 'Usage: '.length <= USAGE_WIDTH ? inline : [...words, ...required, '[options]'].join(' ');
}

function usageLines(definition: CommandDefinition): string[] {
  if (definition.usage) return [...definition.usage];
  const base = `baton ${definition.name}`;
  if (!definition.subcommands) return [usageLine([base, ...definition.positionals.map(positional)], definition.options)];
  return definition.subcommands.map((sub) =>
    usageLine(
      [base, sub.name, ...sub.positionals.map(positional)],
      definition.options.filter((o) => o.of === undefined || o.of.includes(sub.name)),
    ),
  );
}

function optionLabel(o: OptionDefinition): string {
  const long = `--${o.name}${o.value !== undefined ? ` ${o.value}` : ''}`;
  return o.short !== undefined ? `-${o.short}, ${long}` : long;
}

function optionLines(options: readonly OptionDefinition[], width: number): string[] {
  return options.map((o) => {
    const extra = [o.required ? 'required' : '', (o.default ?? o.whenAbsent) !== undefined ? `default: ${o.default ?? o.whenAbsent}` : '', o.repeatable ? 'repeat for more' : ''].filter(Boolean);
    const text = extra.length > 0 ? `${o.description} (${extra.join('; ')})` : o.description;
    const [first, ...rest] = text.split('\n');
    return [`  ${optionLabel(o).padEnd(width)}  ${first}`, ...rest.map((line) => `  ${' '.repeat(width)}  ${line}`)].join('\n');
  });
}

/** The option sections: one per subcommand that has options of its own, then those every subcommand takes. */
function optionSections(definition: CommandDefinition): string[] {
  const width = Math.max(...allOptions(definition).map((o) => optionLabel(o).length));
  if (!definition.subcommands) return [`Options:\n${optionLines(allOptions(definition), width).join('\n')}`];
  const sections = definition.subcommands.flatMap((sub) => {
    // An option of several subcommands is listed once, under the first; its description names the others.
    const own = definition.options.filter((o) => o.of?.[0] === sub.name);
    return own.length > 0 ? [`Options (${sub.name}):\n${optionLines(own, width).join('\n')}`] : [];
  });
  const shared = [...definition.options.filter((o) => o.of === undefined), ...commonOptions(definition)];
  return [...sections, `Options (every subcommand):\n${optionLines(shared, width).join('\n')}`];
}

/** A command's --help, all of it from its definition. */
export function renderHelp(definition: CommandDefinition): string {
  const [first, ...rest] = usageLines(definition);
  const usage = [`Usage: ${first}`, ...rest.map((line) => `       ${line}`)].join('\n');
  return [usage, definition.about, ...optionSections(definition), definition.more].filter((part) => part !== undefined && part !== '').join('\n\n');
}
