import type { FieldNames } from '../errors.js';

/** The library's inputs as the CLI's flags, so its errors name what the user typed. */
export const CLI_FIELDS: FieldNames = {
  name: {
    dir: '--dir',
    prompt: 'PROMPT',
    promptFile: '--prompt-file',
    runner: '--runner',
    runnerOptions: '--runner-option',
    stallAfter: '--stall-after',
    timeout: '--timeout',
    maxCost: '--max-cost',
    lock: '--no-lock',
    lint: '--no-lint',
    detached: '--allow-detached',
    from: '--from',
    only: '--only',
    onComplete: '--on-complete',
    onBlocked: '--on-blocked',
    maxParallel: '--max-parallel',
    port: '--port',
    host: '--host',
  },
  setOverride: (field) => `pass ${CLI_FIELDS.name[field]}`,
};
