import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileOverlaps, isParallelPlan, mayRunTogether, needsCycles, planWaves, readyPhases } from '../../src/plans/dag.js';
import type { Plan, PlanPhase } from '../../src/plans/schema.js';

function phase(id: string, needs: string[] = [], more: Partial<PlanPhase> = {}): PlanPhase {
  return { id, title: id.toUpperCase(), prompt: `Do ${id}`, files: [], needs, runner: 'cmd', verify: [], maxResumes: 2, maxFixes: 2, waitOnLimits: true, ...more };
}

function plan(phases: PlanPhase[], maxParallel = 1): Plan {
  return { file: '/p/plan.yaml', project: 'x', dir: '/p', maxParallel, phases };
}

// A → (B, C) → D, and E on its own.
const diamond = plan([phase('a'), phase('b', ['a']), phase('c', ['a']), phase('d', ['b', 'c']), phase('e')], 2);

test('isParallelPlan: a cap above 1 and some needs, both', () => {
  assert.equal(isParallelPlan(diamond, 2), true);
  assert.equal(isParallelPlan(diamond, 1), false);
  assert.equal(isParallelPlan(plan([phase('a'), phase('b')]), 4), false);
  // A plan stored before needs existed has phases without the key.
  const old = plan([phase('a'), phase('b')].map(({ needs: _, ...rest }) => rest as PlanPhase), 4);
  assert.equal(isParallelPlan(old, 4), false);
  assert.deepEqual(readyPhases(old, new Set(), new Set()).map((p) => p.id), ['a', 'b']);
});

test('readyPhases: not started, needs all committed, in plan order', () => {
  const ids = (committed: string[], started: string[]) => readyPhases(diamond, new Set(committed), new Set(started)).map((p) => p.id);
  assert.deepEqual(ids([], []), ['a', 'e']);
  assert.deepEqual(ids([], ['a']), ['e']);
  assert.deepEqual(ids(['a'], ['a', 'e']), ['b', 'c']);
  // B committed alone does not free D: it needs C too.
  assert.deepEqual(ids(['a', 'b'], ['a', 'b', 'e']), ['c']);
  assert.deepEqual(ids(['a', 'b', 'c', 'e'], ['a', 'b', 'c', 'e']), ['d']);
  assert.deepEqual(ids(['a', 'b', 'c', 'd', 'e'], ['a', 'b', 'c', 'd', 'e']), []);
});

test('mayRunTogether: neither reaches the other through needs, transitively', () => {
  assert.equal(mayRunTogether(diamond, 'b', 'c'), true);
  assert.equal(mayRunTogether(diamond, 'e', 'd'), true);
  assert.equal(mayRunTogether(diamond, 'a', 'b'), false);
  assert.equal(mayRunTogether(diamond, 'd', 'a'), false, 'd needs a through b and c');
  assert.equal(mayRunTogether(diamond, 'b', 'b'), false);
});

test('fileOverlaps: files and prompt Files sections, paths normalised, only for phases that may run together', () => {
  const files = (paths: string[]) => `Change things.\n\n## Files to Create/Modify\n${paths.map((p) => `- \`${p}\``).join('\n')}\n`;
  const overlapping = plan([
    phase('a', [], { files: ['src/x.ts'] }),
    phase('b', ['a'], { files: ['./src/x.ts', 'src/dir/'], prompt: files(['src/y.ts']) }),
    phase('c', ['a'], { prompt: files(['src/y.ts', 'src/x.ts', 'src/dir/z.ts']) }),
    phase('d', ['b', 'c'], { files: ['src/x.ts'] }),
    phase('e', [], { files: ['src/dir'] }),
  ], 2);
  assert.deepEqual(fileOverlaps(overlapping), [
    { phases: ['b', 'c'], paths: ['src/x.ts', 'src/y.ts'] },
    { phases: ['b', 'e'], paths: ['src/dir'] },
  ]);
  assert.deepEqual(fileOverlaps(plan([phase('a', [], { files: ['x'] }), phase('b', ['a'], { files: ['x'] })])), []);
});

test('planWaves: ready phases up to the cap, in plan order, skipped ones counted as done', () => {
  assert.deepEqual(planWaves(diamond, 2), [['a', 'e'], ['b', 'c'], ['d']]);
  assert.deepEqual(planWaves(diamond, 3), [['a', 'e'], ['b', 'c'], ['d']]);
  assert.deepEqual(planWaves(diamond, 1), [['a'], ['b'], ['c'], ['d'], ['e']]);
  assert.deepEqual(planWaves(diamond, 2, new Set(['a'])), [['b', 'c'], ['d', 'e']]);
});

test('needsCycles: each cycle once, along its arrows; unknown needs ignored', () => {
  assert.deepEqual(needsCycles([{ id: 'a', needs: ['b'] }, { id: 'b', needs: ['c'] }, { id: 'c', needs: ['a', 'zz'] }, { id: 'd', needs: ['a'] }]), [['a', 'b', 'c']]);
  assert.deepEqual(needsCycles(diamond.phases), []);
  assert.equal(needsCycles([{ id: 'a', needs: ['b'] }, { id: 'b', needs: ['a'] }, { id: 'c', needs: ['d'] }, { id: 'd', needs: ['c'] }]).length, 2);
});
