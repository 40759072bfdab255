import { readPromptSpec } from '../detect/prompt-spec.js';
import type { Plan, PlanPhase } from './schema.js';

/** The least a DAG question needs to know of a phase. */
type Node = Pick<PlanPhase, 'id' | 'needs'>;

// Plans stored before needs existed (a resumed old plan run) have phases without needs.
const needsOf = (phase: Node): readonly string[] => phase.needs ?? [];

/** Parallel mode is opted into twice: a cap above 1 and needs that say what may run side by side. */
export function isParallelPlan(plan: Plan, maxParallel: number): boolean {
  return maxParallel > 1 && plan.phases.some((phase) => needsOf(phase).length > 0);
}

/** Phases not started whose needs are all committed, in plan order (plan.phases is already in `order`). */
export function readyPhases(plan: Plan, committed: Set<string>, started: Set<string>): PlanPhase[] {
  return plan.phases.filter((phase) => !started.has(phase.id) && !committed.has(phase.id) && needsOf(phase).every((need) => committed.has(need)));
}

/** Every phase `id` needs, directly or through the phases it needs. */
export function ancestors(phases: readonly Node[], id: string): Set<string> {
  const byId = new Map(phases.map((phase) => [phase.id, phase]));
  const seen = new Set<string>();
  const stack = [...needsOf(byId.get(id) ?? { id, needs: [] })];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (seen.has(next)) continue;
    seen.add(next);
    const phase = byId.get(next);
    if (phase) stack.push(...needsOf(phase));
  }
  return seen;
}

/** Two phases may run side by side when neither reaches the other through needs. */
export function mayRunTogether(plan: Pick<Plan, 'phases'>, a: string, b: string): boolean {
  if (a === b) return false;
  return !ancestors(plan.phases, a).has(b) && !ancestors(plan.phases, b).has(a);
}

/** `./src/x.ts`, `src//x.ts` and `src/x/` name what `src/x.ts` and `src/x` name. */
function normalisePath(path: string): string {
  return path.trim().replace(/\\/g, '/').replace(/\/{2,}/g, '/').replace(/^(\.\/)+/, '').replace(/\/+$/, '');
}

/** The paths a phase says it will touch: the plan's `files` and its prompt's Files section. */
export function namedFiles(phase: Pick<PlanPhase, 'files' | 'prompt'>): string[] {
  const paths = [...(phase.files ?? []), ...readPromptSpec(phase.prompt).expectedFiles].map(normalisePath).filter((path) => path !== '' && path !== '.');
  return [...new Set(paths)];
}

export interface FileOverlap {
  phases: [string, string];
  paths: string[];
}

/** Pairs of phases that may run side by side and name the same paths: the merge conflicts waiting to happen. */
export function fileOverlaps(plan: Pick<Plan, 'phases'>): FileOverlap[] {
  const files = plan.phases.map((phase) => namedFiles(phase));
  const overlaps: FileOverlap[] = [];
  plan.phases.forEach((a, i) => {
    plan.phases.slice(i + 1).forEach((b, offset) => {
      const theirs = new Set(files[i + 1 + offset]);
      const paths = files[i]!.filter((path) => theirs.has(path));
      if (paths.length > 0 && mayRunTogether(plan, a.id, b.id)) overlaps.push({ phases: [a.id, b.id], paths });
    });
  });
  return overlaps;
}

/**
 * The phases that would start together if every phase took as long as the others: each wave is up to
 * `maxParallel` ready phases in plan order, and a wave's phases count as committed before the next.
 * Phases in `done` (skipped, or committed already) are left out and count as committed.
 */
export function planWaves(plan: Plan, maxParallel: number, done: ReadonlySet<string> = new Set()): string[][] {
  const committed = new Set(done);
  const waves: string[][] = [];
  for (;;) {
    const wave = readyPhases(plan, committed, committed).slice(0, Math.max(1, maxParallel)).map((phase) => phase.id);
    if (wave.length === 0) return waves;
    waves.push(wave);
    for (const id of wave) committed.add(id);
  }
}

/**
 * The cycles among needs, each as the ids along it (`[a, b, c]`: a needs b, b needs c, c needs a),
 * once each whatever phase it is entered from. Needs naming unknown phases are ignored here.
 */
export function needsCycles(phases: readonly Node[]): string[][] {
  const byId = new Map(phases.map((phase) => [phase.id, phase]));
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const visit = (id: string): void => {
    state.set(id, 'open');
    path.push(id);
    for (const need of needsOf(byId.get(id)!)) {
      if (!byId.has(need)) continue;
      if (state.get(need) === 'open') {
        const cycle = path.slice(path.indexOf(need));
        // The same cycle entered at another phase is the same cycle: compare a canonical rotation.
        const start = cycle.indexOf([...cycle].sort()[0]!);
        const key = [...cycle.slice(start), ...cycle.slice(0, start)].join('\u0000');
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push(cycle);
        }
      } else if (!state.has(need)) visit(need);
    }
    path.pop();
    state.set(id, 'done');
  };
  for (const phase of phases) if (!state.has(phase.id)) visit(phase.id);
  return cycles;
}
