import { parseArgs } from 'node:util';
import { usageError } from '../errors.js';
import { joinDashValues } from './args.js';
import type { CommandDefinition, OptionDefinition, OptionSpec, ParsedArgs } from './command.js';

/** Every command's own two, so that no definition can forget them. */
export function commonOptions(definition: CommandDefinition): OptionDefinition[] {
  return [
    { name: 'json', description: definition.json },
    { name: 'help', short: 'h', description: 'this help' },
  ];
}

/** The definition's options and the common ones, in the order --help shows them. */
export function allOptions(definition: CommandDefinition): OptionDefinition[] {
  return [...definition.options, ...commonOptions(definition)];
}

export function optionSpec(options: readonly OptionDefinition[]): OptionSpec {
  const spec: OptionSpec = {};
  for (const option of options) {
    spec[option.name] = {
      type: option.value === undefined ? 'boolean' : 'string',
      ...(option.short !== undefined && { short: option.short }),
      ...(option.repeatable === true && { multiple: true }),
      ...(option.default !== undefined && { default: option.default }),
    };
  }
  return spec;
}

export function takesPositionals(definition: CommandDefinition): boolean {
  return definition.positionals.length > 0 || (definition.subcommands?.length ?? 0) > 0;
}

const optionName = (o: OptionDefinition) => (o.short !== undefined ? `-${o.short}/--${o.name}` : `--${o.name}`);

/**
 * argv after the command's name, read against its definition. An unknown option names the valid
 * ones; parseArgs' own message names neither them nor the command.
 */
export function parseCommandArgs(definition: CommandDefinition, argv: readonly string[]): ParsedArgs {
  const options = allOptions(definition);
  const spec = optionSpec(options);
  const args = joinDashValues(argv, spec);
  const { tokens } = parseArgs({ args, options: spec, allowPositionals: true, strict: false, tokens: true });
  for (const token of tokens) {
    if (token.kind !== 'option' || Object.hasOwn(spec, token.name)) continue;
    throw unknownOption(definition, options, token.rawName, args[token.index] ?? token.rawName);
  }
  const parsed = parseArgs({ args, options: spec, allowPositionals: takesPositionals(definition), strict: true });
  return { values: parsed.values, positionals: parsed.positionals };
}

function unknownOption(definition: CommandDefinition, options: readonly OptionDefinition[], rawName: string, arg: string) {
  const shown = arg === rawName || arg.startsWith(`${rawName}=`) ? rawName : `${rawName} (in ${JSON.stringify(arg)})`;
  // `-x literally` or `-5` is a prompt or a name; `-fx` is more likely a mistyped cluster of short flags.
  const hint =
    takesPositionals(definition) && !arg.startsWith('--') && !/^-[A-Za-z]+$/.test(arg)
      ? `. An argument that starts with "-" goes after --, as in: baton ${definition.name} [options] -- ${JSON.stringify(arg)}`
      : '';
  return usageError(`unknown option ${shown}; baton ${definition.name} takes ${options.map(optionName).join(', ')}${hint}`);
}

/** For a command with subcommands: an option given to a subcommand it does not belong to is refused, naming its owner. */
export function rejectForeignOptions(definition: CommandDefinition, args: ParsedArgs, subcommand: string): void {
  for (const [name, value] of Object.entries(args.values)) {
    if (value === undefined) continue;
    const owners = definition.options.find((o) => o.name === name)?.of;
    if (owners === undefined || owners.includes(subcommand)) continue;
    throw usageError(`--${name} does not apply to baton ${definition.name} ${subcommand} (it belongs to ${owners.map((o) => `baton ${definition.name} ${o}`).join(', ')})`);
  }
}

/** The definition's required options (of this subcommand, if it has them), in order: the first missing one is refused. */
export function requireOptions(definition: CommandDefinition, args: ParsedArgs, subcommand?: string): void {
  for (const option of definition.options) {
    if (!option.required || (subcommand !== undefined && option.of !== undefined && !option.of.includes(subcommand))) continue;
    if (args.values[option.name] === undefined) throw usageError(`--${option.name}${option.value !== undefined ? ` ${option.value}` : ''} is required`);
  }
}
