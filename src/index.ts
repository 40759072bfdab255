export { Baton, DEFAULT_STALL_AFTER_MS } from './baton.js';
export type { BatonOptions, RunOptions, LaunchResult, ResumeResult, ResumeOptions, WaitOptions, WaitResult, KillResult } from './baton.js';
export type { RunStatus } from './report.js';
export type { FollowEvent, FollowOptions } from './follow.js';
export type { RunEvent, ToolKind, ToolStatus, OutputParser } from './events.js';
export type { RunState } from './store/runs.js';
export { RUN_STATES } from './store/runs.js';
export { RUNNERS, RUNNER_NAMES } from './runners/registry.js';
export type { RunnerAdapter, RunnerName } from './runners/types.js';
export { BatonError } from './errors.js';
export { WorkerGoneError } from './cluster/worker-gone.js';
export { readPromptSpec } from './detect/prompt-spec.js';
export { writeFollowUp } from './detect/follow-up.js';
export { parseDuration, formatDuration } from './duration.js';
export { Plans } from './plans/service.js';
export type { PlanStatus, PhaseStatus } from './plans/service.js';
export { lintPrompt, writePhasePrompt } from './prompts/index.js';
export { routeTask } from './plans/route.js';
// The MCP server (and initClaude) and the dashboard are `baton/mcp` and `baton/ui`: importing the
// library loads neither the MCP SDK nor Hono.
