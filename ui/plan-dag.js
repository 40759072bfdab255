// @ts-check
// A plan's phases as a graph: a node per phase, layered left to right by how deep its `needs` go,
// an arrow per need, each node showing its stage. The layout is pure (tested without a browser);
// the drawing keeps its SVG between renders and, while the graph's shape stays the same, only changes
// the classes and words of its nodes, so a live plan redraws without flicker.

/** @typedef {import('../src/ui/views.js').PhaseStatus} PhaseStatus */
/** @typedef {import('../src/ui/views.js').PlanStatus} PlanStatus */
/**
 * What the layout reads of a phase (the page passes PhaseStatus; tests pass less).
 * @typedef {{id: string, title?: string, state?: string, stage?: string, needs?: string[], mergePlace?: number | null}} DagPhase
 * @typedef {{from: string, to: string}} DagEdge
 * @typedef {{id: string, layer: number, row: number, x: number, y: number}} DagNode
 * @typedef {{nodes: DagNode[], edges: (DagEdge & {d: string})[], width: number, height: number}} DagGeometry
 */

export const NODE_W = 176;
export const NODE_H = 62;
const GAP_X = 56;
const GAP_Y = 16;
const PAD = 8;
const SVG_NS = 'http://www.w3.org/2000/svg';

/** @param {number} n */
const num = (n) => (Math.round(n * 10) / 10).toString();

/**
 * Whether the plan has a graph worth drawing. A plan without needs runs its phases one after
 * another in order: its graph would be a chain saying no more than the timeline and the table.
 * @param {DagPhase[]} phases
 */
export function hasNeeds(phases) {
  return phases.some((p) => (p.needs ?? []).length > 0);
}

/**
 * Layers by needs depth (a phase without needs is in layer 0, any other one layer after the deepest
 * phase it needs), plan order within a layer, and an edge per need. Needs naming no phase of the
 * plan, and needs that loop back (validation refuses both), are left out rather than break the page.
 * @param {DagPhase[]} phases in plan order
 * @returns {{layers: string[][], edges: DagEdge[]}}
 */
export function dagLayers(phases) {
  const byId = new Map(phases.map((p) => [p.id, p]));
  /** @type {Map<string, number>} */
  const depth = new Map();
  /** @type {Set<string>} */
  const visiting = new Set();
  /** @type {DagEdge[]} */
  const edges = [];
  /** @param {string} id */
  const depthOf = (id) => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return -1; // a loop: the edge back is dropped
    visiting.add(id);
    let d = 0;
    for (const need of new Set(byId.get(id)?.needs ?? [])) {
      if (need === id || !byId.has(need)) continue;
      const below = depthOf(need);
      if (below >= 0) d = Math.max(d, below + 1);
    }
    visiting.delete(id);
    depth.set(id, d);
    return d;
  };
  /** @type {string[][]} */
  const layers = [];
  for (const p of phases) {
    const d = depthOf(p.id);
    (layers[d] ??= []).push(p.id);
  }
  for (const p of phases) {
    for (const need of new Set(p.needs ?? [])) {
      const from = depth.get(need);
      const to = depth.get(p.id);
      if (need !== p.id && from !== undefined && to !== undefined && from < to) edges.push({ from: need, to: p.id });
    }
  }
  return { layers: layers.map((l) => l ?? []), edges };
}

/**
 * Where each node and arrow goes: layers as columns, each column centred on the tallest one; an
 * arrow from the right edge of the needed phase to the left edge of the phase that needs it.
 * @param {{layers: string[][], edges: DagEdge[]}} layered
 * @returns {DagGeometry}
 */
export function dagGeometry({ layers, edges }) {
  const tallest = Math.max(1, ...layers.map((l) => l.length));
  const height = PAD * 2 + tallest * NODE_H + (tallest - 1) * GAP_Y;
  const width = PAD * 2 + Math.max(1, layers.length) * NODE_W + Math.max(0, layers.length - 1) * GAP_X;
  /** @type {DagNode[]} */
  const nodes = [];
  layers.forEach((ids, layer) => {
    const columnH = ids.length * NODE_H + (ids.length - 1) * GAP_Y;
    const top = PAD + (height - PAD * 2 - columnH) / 2;
    ids.forEach((id, row) => nodes.push({ id, layer, row, x: PAD + layer * (NODE_W + GAP_X), y: top + row * (NODE_H + GAP_Y) }));
  });
  const at = new Map(nodes.map((n) => [n.id, n]));
  const placed = edges.flatMap((e) => {
    const a = at.get(e.from);
    const b = at.get(e.to);
    if (!a || !b) return [];
    const x1 = a.x + NODE_W;
    const y1 = a.y + NODE_H / 2;
    const x2 = b.x - 3; // the arrowhead's tip touches the node
    const y2 = b.y + NODE_H / 2;
    const bend = Math.max(20, (x2 - x1) / 2);
    return [{ ...e, d: `M${num(x1)},${num(y1)} C${num(x1 + bend)},${num(y1)} ${num(x2 - bend)},${num(y2)} ${num(x2)},${num(y2)}` }];
  });
  return { nodes, edges: placed, width, height };
}

/**
 * The stage in words, as the node and the table show it: "queued to merge #2", "waiting on needs".
 * Falls back to the state for a status without stages.
 * @param {DagPhase} phase
 */
export function stageText(phase) {
  const stage = phase.stage ?? phase.state ?? 'pending';
  const words = stage.replace(/-/g, ' ');
  return stage === 'queued-to-merge' && phase.mergePlace ? `${words} #${phase.mergePlace}` : words;
}

/**
 * "B and C may run side by side and both name src/x.ts, src/y.ts"
 * @param {{phases: [string, string], paths: string[]}} overlap
 */
export function overlapWarning({ phases: [a, b], paths }) {
  const shown = paths.slice(0, 3).join(', ');
  const more = paths.length > 3 ? ` and ${paths.length - 3} more` : '';
  return `${a} and ${b} may run side by side and both name ${shown}${more}`;
}

const clip = (/** @type {string} */ text, /** @type {number} */ max) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const cssName = (/** @type {string} */ s) => s.replace(/[^a-z-]/gi, '');

/**
 * @template {keyof SVGElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, string | number>} attrs
 * @returns {SVGElementTagNameMap[K]}
 */
function svg(tag, attrs = {}) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, String(value));
  return el;
}

/**
 * The graph as it is drawn into `box`. `render` rebuilds the SVG only when phases, titles or needs
 * changed; otherwise each node's stage is updated where it stands.
 * @param {HTMLElement} box
 */
export function planDag(box) {
  /** @type {string | null} */
  let shape = null;
  /** @type {Map<string, {g: SVGGElement, tip: SVGTitleElement, stage: SVGTextElement}>} */
  let nodes = new Map();

  /** @param {PhaseStatus[]} phases */
  function render(phases) {
    const nextShape = JSON.stringify(phases.map((p) => [p.id, p.title, p.needs ?? []]));
    if (nextShape !== shape) {
      shape = nextShape;
      nodes = build(box, phases);
    }
    for (const p of phases) {
      const node = nodes.get(p.id);
      if (!node) continue;
      const stage = stageText(p);
      const cls = `dag-node state-${cssName(p.state)} stage-${cssName(p.stage ?? p.state)}`;
      if (node.g.getAttribute('class') !== cls) node.g.setAttribute('class', cls);
      if (node.stage.textContent !== stage) node.stage.textContent = stage;
      const label = `${p.id} ${p.title}: ${stage}${(p.needs ?? []).length ? `, needs ${(p.needs ?? []).join(', ')}` : ''}`;
      if (node.g.getAttribute('aria-label') !== label) {
        node.g.setAttribute('aria-label', label);
        node.tip.textContent = label;
      }
    }
  }
  return { render };
}

/**
 * @param {HTMLElement} box
 * @param {PhaseStatus[]} phases
 */
function build(box, phases) {
  const layered = dagLayers(phases);
  const geo = dagGeometry(layered);
  const root = svg('svg', { class: 'dag', viewBox: `0 0 ${geo.width} ${geo.height}`, width: geo.width, height: geo.height, role: 'group', 'aria-label': `phase graph: ${phases.length} phases, ${geo.edges.length} needs` });
  const marker = svg('marker', { id: 'dag-arrow', viewBox: '0 0 8 8', refX: 7, refY: 4, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
  marker.append(svg('path', { class: 'dag-arrowhead', d: 'M0,0 L8,4 L0,8 Z' }));
  const defs = svg('defs');
  defs.append(marker);
  root.append(defs);
  const edgeLayer = svg('g', { class: 'dag-edges', 'aria-hidden': 'true' });
  for (const e of geo.edges) edgeLayer.append(svg('path', { class: 'dag-edge', d: e.d, 'data-from': e.from, 'data-to': e.to, 'marker-end': 'url(#dag-arrow)' }));
  root.append(edgeLayer);
  const byId = new Map(phases.map((p) => [p.id, p]));
  /** @type {Map<string, {g: SVGGElement, tip: SVGTitleElement, stage: SVGTextElement}>} */
  const nodes = new Map();
  const chars = Math.floor((NODE_W - 22) / 6.6);
  for (const n of geo.nodes) {
    const p = byId.get(n.id);
    const g = svg('g', { 'data-phase-id': n.id, role: 'img', transform: `translate(${num(n.x)},${num(n.y)})` });
    const tip = svg('title');
    const id = svg('text', { class: 'dag-id', x: 14, y: 18 });
    id.textContent = clip(n.id, chars);
    const title = svg('text', { class: 'dag-title', x: 14, y: 35 });
    title.textContent = clip(p?.title ?? '', chars + 2);
    const stage = svg('text', { class: 'dag-stage', x: 14, y: 52, 'data-field': 'stage' });
    g.append(tip, svg('rect', { class: 'dag-frame', width: NODE_W, height: NODE_H, rx: 6 }), svg('rect', { class: 'dag-accent', width: 5, height: NODE_H - 8, x: 4, y: 4, rx: 2 }), id, title, stage);
    root.append(g);
    nodes.set(n.id, { g, tip, stage });
  }
  box.replaceChildren(root);
  return nodes;
}
