import { usageError } from '../../errors.js';
import { batonHome } from '../../store/paths.js';
import { stringOption } from '../args.js';
import { defineCommand } from '../define.js';

export const routeCommand = defineCommand({
  name: 'route',
  summary: 'suggest the agent (and model) for a task, with the reason',
  positionals: [{ name: 'TASK' }],
  usage: ['baton route "TASK TEXT" [--table FILE] [--json]'],
  about: `Scores the task against a table of agents, each voted for by keywords, and names the winner with
its model and the words that decided it. A keyword in the request itself (the first words of a
sentence: "Plan the…", "Create these files…") counts three times one mentioned in passing; one in a
side remark ("…before implementing it") counts nothing. Nothing is launched. Plans use the same
scorer for a phase with agent: auto.

  sisyphus    complex multi-file implementation   implement, integrate, module, across, many files named
  hephaestus  autonomous deep codebase work       refactor, existing code, understand, tests match, real behaviour
  oracle      hard debugging and architecture     debug, why, race, architecture, root cause, flaky
  explore     fast file creation, simple edits    create file, list of files, rename, typo, simple, stub
  prometheus  planning before implementation      plan, before implementing, design doc, break down, roadmap
Nothing matched: hephaestus. Ties go to the default, then to the order above. When the words do not
settle it (nothing matched, a tie, only words in passing), the answer says it is unsure, and why.`,
  options: [{ name: 'table', value: 'FILE', description: 'routing table to merge over the built-in one', whenAbsent: '$BATON_HOME/routing.json' }],
  json: 'print {"agent", "model", "reason", "unsure"}; model is null for the runner\'s default, unsure is null when the task\'s words decide, else why the choice is a guess',
  more: `The table (every field optional; keywords are added to the built-in ones, a new agent needs bestAt):
  { "default": "hephaestus",
    "agents": { "oracle": { "model": "openrouter/qwen3-next-80b-a3b-thinking", "keywords": ["heisenbug"] },
                "scribe": { "bestAt": "docs", "keywords": ["readme", "changelog"] } } }

Examples:
  baton route "why does the watcher miss events? looks like a race"
  baton route --json "rename parse_args to parseArgs across the CLI" | jq -r .agent`,
}, {
  async run(args, io) {
    const text = args.positionals.join(' ').trim();
    if (!text) throw usageError('baton route needs the task text, e.g. baton route "fix the typo in README"');
    const file = stringOption(args, 'table');
    const { loadRoutingTable, routeTask } = await import('../../plans/route.js');
    const table = loadRoutingTable(batonHome(io.env), file);
    const decision = routeTask(text, table);
    const model = decision.model ?? null;
    const s = io.style;
    return {
      exitCode: 0,
      json: { agent: decision.agent, model, reason: decision.reason, unsure: decision.unsure ?? null },
      text:
        `${s.bold(decision.agent)}  ${model ?? s.dim('(runner default model)')}\n  ${s.dim('reason')} ${decision.reason}` +
        (decision.unsure !== undefined ? `\n  ${s.dim('unsure')} ${decision.unsure}` : ''),
    };
  },
});
