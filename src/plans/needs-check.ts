import { needsCycles } from './dag.js';

/** Reports one located problem (the schema's `at`): a path into the plan file and what is wrong there. */
export type Report = (path: (string | number)[], message: string) => void;

const quoted = (ids: readonly string[]) => ids.map((id) => `"${id}"`).join(', ');

/**
 * Needs must name other phases, once each, without cycles, and the run order (`order`, else file
 * order) must list every phase after the phases it needs: serial plans run in that order, and it is
 * the merge order of parallel ones.
 */
export function checkNeeds(phases: readonly { id: string; needs?: string[] | undefined }[], order: readonly string[] | undefined, at: Report): void {
  const ids = phases.map((phase) => phase.id);
  const known = new Set(ids);
  let broken = false;
  const edges = phases.map((phase, i) => {
    const kept: string[] = [];
    (phase.needs ?? []).forEach((need, j) => {
      const where = ['phases', i, 'needs', j];
      if (!known.has(need)) at(where, `unknown phase "${need}"; phases are ${ids.join(', ')}`);
      else if (need === phase.id) at(where, `phase "${phase.id}" cannot need itself`);
      else if (kept.includes(need)) at(where, `"${need}" is listed twice in needs`);
      else return void kept.push(need);
      broken = true;
    });
    return { id: phase.id, needs: kept };
  });
  const cycles = needsCycles(edges);
  for (const cycle of cycles) {
    const [first, second] = [cycle[0]!, cycle[1 % cycle.length]!];
    const i = ids.indexOf(first);
    at(['phases', i, 'needs', (phases[i]!.needs ?? []).indexOf(second)], `needs form a cycle: ${[...cycle, first].join(' → ')} (each needs the next); no phase of it could ever start`);
  }
  if (broken || cycles.length > 0) return;
  if (order) {
    const place = new Map<string, number>();
    order.forEach((id, i) => place.has(id) || place.set(id, i));
    order.forEach((id, i) => {
      if (place.get(id) !== i) return;
      const later = (edges.find((edge) => edge.id === id)?.needs ?? []).filter((need) => (place.get(need) ?? -1) > i);
      if (later.length > 0) at(['order', i], `phase "${id}" comes before ${quoted(later)}, which it needs; list ${later.length > 1 ? 'them' : 'it'} earlier in order`);
    });
    return;
  }
  phases.forEach((phase, i) => {
    (phase.needs ?? []).forEach((need, j) => {
      if (ids.indexOf(need) > i) at(['phases', i, 'needs', j], `phase "${phase.id}" needs "${need}", which comes after it in the file (the run order without order); move "${need}" above it or add an order`);
    });
  });
}
