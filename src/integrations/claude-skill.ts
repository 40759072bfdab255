/**
 * What `baton init claude` writes into a project: the Claude Code skill that teaches a lead session
 * the Baton workflow, and slash commands for the common moves. Kept as TypeScript strings so they
 * ship in dist/ with the rest of Baton. Keep them true to README.md and each command's --help.
 * The marker line (see owned-file.ts) is added when they are written.
 */
import { DEFAULT_RUNNER, RUNNER_NAMES } from '../runners/registry.js';

const SKILL_MD = `---
name: baton
description: Delegate coding phases to background AI agents (oh-my-opencode, opencode, Claude Code, Codex) with Baton, and drive multi-phase plans with one verified commit per phase. Use when launching an agent on a phase prompt, waiting for or checking on a background agent run, resuming a run that stopped early, or running a plan.
---

# Baton: hand phases to background agents, stay in control

Baton launches an agent CLI detached, supervises it, and tells you how it ended. It replaces
\`cmd > out 2>&1 &\`, \`sleep 120 && tail -80 out\` and grepping the output for session ids.

- Call \`baton …\`. If it is not on PATH, use the command of the \`baton\` server in \`.mcp.json\`
  without its last argument (\`mcp\`): \`node /…/bin/baton.js …\`.
- With the \`baton\` MCP server connected, its tools do the same jobs (\`run\`, \`wait\`, \`resume\`,
  \`kill\`, \`plan_run\`, \`plan_wait\`, …).
- Every command takes \`--help\` and \`--json\` (stdout then holds one JSON document).
- A run is named by its id, a unique prefix of it, or its \`--name\`.

## 1. Write the phase prompt from the template

\`\`\`sh
baton prompt new --phase 5 --project NAME --description "what this phase delivers" \\
  --verify "cargo check --workspace" --file path/to/file.rs --out prompts/phase5.txt
baton prompt lint prompts/phase5.txt     # file:line: severity rule: message; exit 1 on errors
\`\`\`

Fill in every \`<placeholder>\`, then lint until there are no errors. The template's rules: numbered
\`## Steps\` that name files and symbols; every file listed under \`## Files to Create/Modify\`; new
files written with \`cat > path <<'EOF'\`, existing ones with the Edit tool after reading them; never
files written through a Python script; the verification command as the last step (several only in
a stated order). Baton reads the Files section and the last step back to judge whether a run
completed.

## 2. Launch

One phase:

\`\`\`sh
baton run --json --agent hephaestus --dir . --prompt-file prompts/phase5.txt --name phase-5
# → {"id","state","pid","log"} at once; the agent runs detached
\`\`\`

Options: \`--runner ${RUNNER_NAMES.join('|')}\` (default ${DEFAULT_RUNNER}), \`--model
provider/model\`, \`--stall-after 5m\`, \`--timeout 2h\`. Unsure which agent? \`baton route "TASK"\`.

Several phases: write a plan and let Baton drive it, one agent at a time.

\`\`\`yaml
# plan.yaml
project: NAME
dir: .                                 # the repo, relative to this file
defaults: { runner: omo, agent: hephaestus, verify: ["cargo check --workspace"], maxResumes: 2, maxFixes: 2 }
phases:
  - { id: "5", title: Integration tests, promptFile: prompts/phase5.txt, files: [crates/x/tests/parse.rs] }
  - { id: "6", title: CLI, promptFile: prompts/phase6.txt }
\`\`\`

\`\`\`sh
baton plan run plan.yaml --dry-run     # validate and show the phases; starts nothing
baton plan run plan.yaml               # lints the prompts, returns a plan-run id at once
\`\`\`

For each phase the plan launches the agent, resumes it while it exits incomplete (up to
\`maxResumes\`), runs the verification and feeds failures back (up to \`maxFixes\`), then commits
exactly the files the phase changed as \`Phase <id>: <title>\`. Do not commit by hand while a plan
runs; your own uncommitted changes are never committed. After a lone \`baton run\` completes, review
\`baton diff ID\` and make one commit for the phase yourself.

## 3. Wait, then act on the end report: no status call

The sequence is **run → wait (repeat while it is not done) → act on the end report**.

- Shell: start \`baton wait ID\` (or \`baton plan wait\`) with the Bash tool's \`run_in_background: true\`
  and carry on; you are told when it exits. Its exit code says how the run ended and its output is
  the run's brief (state, reasons, session, files changed, final message, next step), or one line if
  \`--timeout\` passed first.
- MCP: call the \`wait\` tool. While the run goes on it answers one line (\`not done: ID running 3m,
  812 lines (+140)\`); call it again. When the run ends it answers the end report: state, reasons,
  files changed, session, the final message's gist and \`next\`. Plans: \`plan_run\` → \`plan_wait\`.
- The end report is all you need to decide: do not call \`status\` after it. Do not \`sleep\`, \`tail\` or
  \`grep\` the log in a loop.

## 4. When the end report is not enough

\`baton status ID --full\` (MCP \`status\` with \`detail: "full"\`) adds tools, recent events and the
follow-up \`baton resume\` would send. \`baton diff ID --patch\` shows what a run changed.
\`baton plan status\` shows every phase. Reach for \`baton tail ID -n 80\` only when those leave a
question open.

## 5. Act on the state

| state | meaning | next move |
|---|---|---|
| \`running\` | alive and producing output | keep waiting |
| \`stalled\` | alive, no output for \`--stall-after\` (back to running if output resumes) | keep waiting; \`baton kill ID\` if it stays stuck |
| \`completed\` | exit 0, completion signal, listed files present, verification passed | review \`baton diff ID\`, commit (plans commit for you) |
| \`incomplete\` | exit 0 but unfinished: a missing file, a cut-off tool call, verification never ran or failed | \`baton resume ID\`; Baton writes the follow-up from the reasons |
| \`limited\` | a usage or rate limit cut it off | after \`limitResetAt\`, \`baton resume ID\` |
| \`failed\` | non-zero exit, crash, model/API errors, \`--timeout\` | read the reasons, fix the cause, resume or relaunch |
| \`killed\` | ended by \`baton kill\` | relaunch if still wanted |

\`baton resume ID\` continues the same agent session with the follow-up \`baton status ID --full\`
shows; pass \`PROMPT\` or \`--prompt-file F\` to say something else. A plan that runs out of resumes or
fixes stops as **blocked**, with nothing of that phase committed: read \`baton plan status\`, fix the
cause, then \`baton plan resume\`. \`baton plan stop\` stops a plan.

## Exit codes

| code | \`baton wait\` | \`baton plan wait\` |
|---|---|---|
| 0 | every run completed | completed |
| 1 | a run failed or was killed, or an error | failed or stopped |
| 2 | usage error (bad flag, unknown id, missing dir, empty prompt); nothing started | usage error |
| 3 | a run is incomplete: \`baton resume\` | blocked: fix, then \`baton plan resume\` |
| 4 | a run is limited: resume after \`limitResetAt\` | |
| 124 | \`--timeout\` passed first; the runs go on | same |

With several ids, \`wait\` reports the worst outcome.
`;

const RUN_MD = `---
description: Launch a background agent on a phase prompt file with Baton
argument-hint: PROMPT_FILE [--agent A] [--runner R] [--name LABEL]
allowed-tools: Bash(baton:*), mcp__baton
---
Launch one phase with Baton. Arguments: $ARGUMENTS (the prompt file first, then any \`baton run\` flags).

1. Run \`baton prompt lint\` on the prompt file. If it reports errors, show them, fix the prompt with me, and stop here.
2. Run \`baton run --json --prompt-file $ARGUMENTS\` in this project and note the run id it prints.
3. Start \`baton wait ID\` with the Bash tool's \`run_in_background: true\` (or call the baton MCP \`wait\` tool, again while it answers \`not done\`). Do not sleep-poll.
4. Tell me the run id and that you are waiting. When the wait ends, its output is the end report: report the state, its reasons, the files changed and the next step from it. Do not run \`baton status\` after it.
`;

const STATUS_MD = `---
description: Brief of Baton runs (state, reasons, files changed, next step)
argument-hint: [ID…]
allowed-tools: Bash(baton:*), mcp__baton
---
Run \`baton status $ARGUMENTS\` (with no ids it shows the active runs plus the latest finished one).

For each run, tell me in a few lines: its state, the reasons, the files it changed, and the \`next\` step Baton suggests. Do not read the raw log unless the brief leaves a question open; then use \`baton tail ID -n 80\`.
`;

const WAIT_MD = `---
description: Wait for Baton runs in the background and report how they ended
argument-hint: ID…
allowed-tools: Bash(baton:*), mcp__baton
---
Run \`baton wait $ARGUMENTS\` with the Bash tool's \`run_in_background: true\` (or call the baton MCP \`wait\` tool, again while it answers \`not done\`). Do not sleep-poll or tail the log.

When it exits, read its exit code: 0 completed, 1 failed or killed, 3 incomplete, 4 limited, 124 timed out (the runs go on), 2 usage error. Its output is each run's end report: report each run's state, reasons, files changed and next step from it, without a \`baton status\` call. If a run is incomplete, offer \`baton resume ID\`.
`;

const RESUME_MD = `---
description: Resume an incomplete Baton run in its own agent session
argument-hint: ID [PROMPT]
allowed-tools: Bash(baton:*), mcp__baton
---
Resume a Baton run. Arguments: $ARGUMENTS (the run id, optionally followed by my own follow-up prompt).

1. Run \`baton status\` on the run id and show me its state, reasons and the follow-up on its \`next\` line.
2. Run \`baton resume $ARGUMENTS\`. Without a prompt, Baton sends the follow-up it wrote from the reasons; the agent keeps its session context.
3. Start \`baton wait NEW_ID\` on the new run id with \`run_in_background: true\` and, when it ends, report from the end report it prints (no \`baton status\` call).
`;

const PLAN_MD = `---
description: Run, check, wait for, resume or stop a Baton multi-phase plan
argument-hint: run PLAN.yaml | status | wait | resume | stop
allowed-tools: Bash(baton:*), mcp__baton
---
Drive a Baton plan. Arguments: $ARGUMENTS (with none, show \`baton plan status\`).

- \`run PLAN.yaml\`: first run \`baton plan run PLAN.yaml --dry-run\` and show me the phases; then \`baton plan run PLAN.yaml\` and note the plan-run id. Baton lints each phase prompt, runs one agent at a time, resumes and verifies it, and commits each phase as \`Phase <id>: <title>\`. Do not commit phase work yourself.
- Otherwise run \`baton plan $ARGUMENTS\`.

After starting or resuming a plan, run \`baton plan wait\` with the Bash tool's \`run_in_background: true\` (or the baton MCP \`plan_wait\` tool, again while it answers \`not done\`) instead of sleep-polling. Its exit code: 0 completed, 3 blocked, 1 failed or stopped, 124 timed out. Its output is the plan's short status: report each phase from it, without a \`baton plan status\` call. If the plan is blocked, explain the reason, help me fix the cause, then \`baton plan resume\`.
`;

/** Files relative to the project directory, in the order they are reported. */
export const CLAUDE_FILES: readonly { file: string; content: string }[] = [
  { file: '.claude/skills/baton/SKILL.md', content: SKILL_MD },
  { file: '.claude/commands/baton-run.md', content: RUN_MD },
  { file: '.claude/commands/baton-status.md', content: STATUS_MD },
  { file: '.claude/commands/baton-wait.md', content: WAIT_MD },
  { file: '.claude/commands/baton-resume.md', content: RESUME_MD },
  { file: '.claude/commands/baton-plan.md', content: PLAN_MD },
];
