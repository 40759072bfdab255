import { defineCommand } from '../define.js';

export const configCommand = defineCommand({
  name: 'config',
  summary: 'settings (maxConcurrent, minFreeMemoryMb) and where each came from; the run queue now',
  positionals: [],
  options: [],
  about: `Shows this Baton home's settings, where each value came from (environment, config file or the
machine's default) and how the run queue stands.

  maxConcurrent    agents alive at once for every run of this home (plain runs, plan phases, MCP
                   runs); more runs wait in state "queued" and start in order as slots free.
                   Env BATON_MAX_CONCURRENT, or "maxConcurrent" in $BATON_HOME/config.json.
  minFreeMemoryMb  a queued run does not start while less memory is free.
                   Env BATON_MIN_FREE_MEMORY_MB, or "minFreeMemoryMb" in config.json.

A run that ends "limited" (a usage limit) holds queued and new runs of the same runner and provider
until the limit lifts (or 5 minutes when the provider did not say); they show as queued with the
reason. baton run --ignore-limit-breaker starts one anyway.`,
  json: 'print {path, maxConcurrent: {value, source, detail}, minFreeMemoryMb: {…}, agentsRunning, queued, limitBreakers: [{runId, runner, provider, resetAt}]}',
  more: `Example config.json:  {"maxConcurrent": 3, "minFreeMemoryMb": 1024}`,
}, {
  async run(_args, io, baton) {
    const config = baton().config();
    const s = io.style;
    const row = (name: string, setting: { value: number; source: string; detail: string }) =>
      `${name.padEnd(16)} ${s.bold(String(setting.value))}  ${s.dim(`(${setting.source}: ${setting.detail})`)}`;
    const text = [
      row('maxConcurrent', config.maxConcurrent),
      row('minFreeMemoryMb', config.minFreeMemoryMb),
      `${'queue'.padEnd(16)} ${config.agentsRunning} running, ${config.queued} queued`,
      ...config.limitBreakers.map((b) => `${'usage limit'.padEnd(16)} ${b.runner}${b.provider ? `/${b.provider}` : ''} until ${b.resetAt} (run ${b.runId}); its runs wait`),
      s.dim(`config file: ${config.path}`),
    ].join('\n');
    return { exitCode: 0, json: config, text };
  },
});
