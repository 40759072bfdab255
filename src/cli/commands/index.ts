import type { Command } from '../command.js';

/**
 * Every command, in the order baton --help lists them. They load lazily so that `baton status`
 * does not pay for the demo or the model server. baton --help loads them all for the summaries in
 * their definitions, so a command imports what only its run needs (the demo, the model server,
 * the plan driver) inside run.
 */
export const COMMANDS: Record<string, () => Promise<Command>> = {
  run: async () => (await import('./run.js')).runCommand,
  status: async () => (await import('./status.js')).statusCommand,
  wait: async () => (await import('./wait.js')).waitCommand,
  tail: async () => (await import('./tail.js')).tailCommand,
  list: async () => (await import('./list.js')).listCommand,
  kill: async () => (await import('./kill.js')).killCommand,
  resume: async () => (await import('./resume.js')).resumeCommand,
  export: async () => (await import('./export.js')).exportCommand,
  diff: async () => (await import('./diff.js')).diffCommand,
  prompt: async () => (await import('./prompt.js')).promptCommand,
  route: async () => (await import('./route.js')).routeCommand,
  plan: async () => (await import('./plan.js')).planCommand,
  init: async () => (await import('./init.js')).initCommand,
  ui: async () => (await import('./ui.js')).uiCommand,
  mcp: async () => (await import('./mcp.js')).mcpCommand,
  'mock-model': async () => (await import('./mock-model.js')).mockModelCommand,
  config: async () => (await import('./config.js')).configCommand,
  worker: async () => (await import('./worker.js')).workerCommand,
  workers: async () => (await import('./workers.js')).workersCommand,
  demo: async () => (await import('./demo.js')).demoCommand,
};

export function loadCommand(name: string): Promise<Command> | undefined {
  return Object.hasOwn(COMMANDS, name) ? COMMANDS[name]!() : undefined;
}

export async function loadAllCommands(): Promise<Command[]> {
  return Promise.all(Object.values(COMMANDS).map((load) => load()));
}
