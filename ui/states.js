// The run, plan and phase states, grouped by what the page does with them. The browser cannot import
// src/store/runs.ts and src/store/plans.ts, so these copy the states named there.

export const RUN_STATES = ['queued', 'running', 'stalled', 'completed', 'incomplete', 'limited', 'failed', 'killed'];
/** Still has a process: its clock ticks and it can be killed. */
export const ACTIVE_RUN = new Set(['queued', 'running', 'stalled']);
export const RESUMABLE_RUN = new Set(['incomplete', 'limited', 'failed', 'killed']);
export const RESUMABLE_PLAN = new Set(['blocked', 'failed', 'stopped']);
export const DONE_PHASE = new Set(['committed', 'completed', 'skipped']);
