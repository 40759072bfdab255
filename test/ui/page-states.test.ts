// The page's state groups against the store's lists: every state lands somewhere the page handles, and
// every state has a colour in the page's stylesheet, so a state added to the store cannot slip past.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { PHASE_STATES, PLAN_STATES } from '../../src/store/plans.js';
import { ACTIVE_STATES, RUN_STATES } from '../../src/store/runs.js';
import { PAGE_STATE_SETS, pageStatesModule } from '../../src/ui/page-states.js';

const uiFile = (file: string) => new URL(`../../../ui/${file}`, import.meta.url);

test('every run state is active (killable), resumable from the page, or completed, and only one of them', () => {
  const groups = [[...PAGE_STATE_SETS.ACTIVE_RUN], [...PAGE_STATE_SETS.RESUMABLE_RUN], ['completed']];
  assert.deepEqual(groups.flat().sort(), [...RUN_STATES].sort());
  assert.deepEqual(PAGE_STATE_SETS.ACTIVE_RUN, ACTIVE_STATES);
});

test('plan and phase groups name only states the store has', () => {
  for (const state of PAGE_STATE_SETS.RESUMABLE_PLAN) assert.ok((PLAN_STATES as readonly string[]).includes(state), state);
  for (const state of PAGE_STATE_SETS.DONE_PHASE) assert.ok((PHASE_STATES as readonly string[]).includes(state), state);
  const resumablePlan: readonly string[] = PAGE_STATE_SETS.RESUMABLE_PLAN;
  assert.ok(!resumablePlan.includes('running') && !resumablePlan.includes('completed'));
});

test('every run, plan and phase state has a badge colour in ui/app.css', () => {
  const css = readFileSync(uiFile('app.css'), 'utf8');
  const styled = new Set([...css.matchAll(/\.state-([a-z-]+)/g)].map((m) => m[1]));
  const missing = [...new Set([...RUN_STATES, ...PLAN_STATES, ...PHASE_STATES])].filter((state) => !styled.has(state));
  assert.deepEqual(missing, []);
});

test('the page has no hand-written copy of the states: the module is generated, and only its types live in ui/', () => {
  assert.equal(existsSync(uiFile('states.js')), false);
  assert.ok(existsSync(uiFile('states.d.ts')));
  assert.match(pageStatesModule(), new RegExp(`^export const RUN_STATES = ${JSON.stringify(RUN_STATES).replace(/[[\]]/g, '\\$&')};$`, 'm'));
});
