import type { Command, CommandDefinition } from './command.js';
import { renderHelp } from './help.js';
import { allOptions, optionSpec, takesPositionals } from './parse.js';

/** A command from its one definition: the parser's options and --help are derived, never written again. */
export function defineCommand(definition: CommandDefinition, { run }: Pick<Command, 'run'>): Command {
  return {
    definition,
    name: definition.name,
    summary: definition.summary,
    get help() {
      return renderHelp(definition);
    },
    options: optionSpec(allOptions(definition)),
    allowPositionals: takesPositionals(definition),
    run,
  };
}
