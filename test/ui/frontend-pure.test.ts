// The dashboard's pure browser modules (ui/ansi.js, ui/charts.js, the layout half of ui/plan-dag.js),
// tested for what a user sees: coloured log text, log text that cannot inject markup, charts with the
// right marks and labels, a plan's graph of needs laid out in layers.
// They are plain JS served to the browser as is, so they are imported from the package root at run
// time (this file runs from dist/test/ui/) and typed loosely here.
import { test } from 'node:test';
import assert from 'node:assert/strict';

interface AnsiModule {
  ansiToHtml(text: string): string;
  ansiLines(text: string, state?: unknown): { lines: string[]; state: unknown };
  stripAnsi(text: string): string;
  escapeHtml(text: string): string;
}
type Samples = [number, number][];
interface Phase {
  id: string;
  title?: string;
  state: string;
  stage?: string;
  needs?: string[];
  mergePlace?: number | null;
  startedAt?: string | number | null;
  endedAt?: string | number | null;
  timing?: { expectedMinMs: number; expectedMaxMs: number; judgement?: string } | null;
}
interface ChartsModule {
  sparkline(samples: Samples, opts?: { width?: number; height?: number }): string;
  lineChart(samples: Samples, opts?: { width?: number; height?: number; startMs?: number; endMs?: number }): string;
  gantt(phases: Phase[], opts?: { width?: number; now?: number }): string;
  formatDuration(ms: number): string;
  formatRange(minMs: number, maxMs: number): string;
  concurrentSpans(phases: Phase[], now?: number): { start: number; end: number; ids: string[] }[];
}
interface Edge {
  from: string;
  to: string;
}
interface DagModule {
  NODE_W: number;
  NODE_H: number;
  hasNeeds(phases: Phase[]): boolean;
  dagLayers(phases: Phase[]): { layers: string[][]; edges: Edge[] };
  dagGeometry(layered: { layers: string[][]; edges: Edge[] }): { nodes: { id: string; layer: number; row: number; x: number; y: number }[]; edges: (Edge & { d: string })[]; width: number; height: number };
  stageText(phase: Phase): string;
  overlapWarning(overlap: { phases: [string, string]; paths: string[] }): string;
}

const uiModule = (file: string) => new URL(`../../../ui/${file}`, import.meta.url).href;
const ansi = (await import(uiModule('ansi.js'))) as AnsiModule;
const charts = (await import(uiModule('charts.js'))) as ChartsModule;
const dag = (await import(uiModule('plan-dag.js'))) as DagModule;

/** Every tag the log renderer may produce: spans with class names and rgb() colours, nothing else. */
const SAFE_TAG = /^<(?:\/span|span(?: class="[a-z0-9 -]+")?(?: style="(?:background-)?color:rgb\(\d{1,3},\d{1,3},\d{1,3}\)(?:;background-color:rgb\(\d{1,3},\d{1,3},\d{1,3}\))?")?)>$/;
const tagsOf = (html: string) => html.match(/<[^>]*>/g) ?? [];

const MIN = 60_000;

// --- ansi.js ---------------------------------------------------------------------------------------

test('SGR colours become spans with colour classes, and reset ends them', () => {
  assert.equal(ansi.ansiToHtml('\x1b[31mred\x1b[0m plain'), '<span class="ansi-fg-1">red</span> plain');
  assert.equal(ansi.ansiToHtml('\x1b[92mbright green\x1b[39m'), '<span class="ansi-fg-10">bright green</span>');
  assert.equal(ansi.ansiToHtml('\x1b[44mon blue\x1b[49m'), '<span class="ansi-bg-4">on blue</span>');
  assert.equal(ansi.ansiToHtml('\x1b[103mon bright yellow\x1b[m'), '<span class="ansi-bg-11">on bright yellow</span>');
});

test('bold, dim, italic and underline become classes; 22 ends bold and dim only', () => {
  assert.equal(
    ansi.ansiToHtml('\x1b[1;2;3;4;33mall\x1b[22m rest\x1b[0m'),
    '<span class="ansi-fg-3 ansi-bold ansi-dim ansi-italic ansi-underline">all</span><span class="ansi-fg-3 ansi-italic ansi-underline"> rest</span>',
  );
});

test('256-colour and 24-bit colours: the 16 named ones as classes, the rest as clamped rgb()', () => {
  assert.equal(ansi.ansiToHtml('\x1b[38;5;9mx'), '<span class="ansi-fg-9">x</span>');
  assert.equal(ansi.ansiToHtml('\x1b[38;5;208mx'), '<span style="color:rgb(255,135,0)">x</span>');
  assert.equal(ansi.ansiToHtml('\x1b[38;5;244mx'), '<span style="color:rgb(128,128,128)">x</span>');
  assert.equal(ansi.ansiToHtml('\x1b[38;2;10;300;-5mx'), '<span style="color:rgb(10,255,0)">x</span>');
  assert.equal(ansi.ansiToHtml('\x1b[48;2;1;2;3mx'), '<span style="background-color:rgb(1,2,3)">x</span>');
});

test('markup in log text is escaped, never interpreted', () => {
  const html = ansi.ansiToHtml('\x1b[31m<script>alert("x")</script>\x1b[0m & <img src=x onerror=alert(1)>');
  assert.ok(!html.includes('<script'), html);
  assert.ok(!html.includes('<img'), html);
  assert.ok(html.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'), html);
  assert.ok(html.includes('&amp; &lt;img src=x onerror=alert(1)&gt;'), html);
});

test('hostile escape sequences cannot produce anything but plain spans', () => {
  const inputs = [
    '\x1b[38;2;1;2;3"><script>m after',
    '\x1b]8;;javascript:alert(1)\x07link\x1b]8;;\x07',
    '\x1b[38;5;"onmouseover=alert(1)//mx',
    '\x1bP<svg onload=alert(1)>\x1b\\tail',
    `\x1b[${'9'.repeat(40)}mhuge`,
    '<\x1b[31m/span><b>bold?</b>',
  ];
  for (const input of inputs) {
    const html = ansi.ansiToHtml(input);
    for (const tag of tagsOf(html)) assert.match(tag, SAFE_TAG, `${JSON.stringify(input)} → ${html}`);
  }
});

test('OSC titles, hyperlinks and cursor movement are stripped', () => {
  assert.equal(ansi.ansiToHtml('\x1b]0;my title\x07after'), 'after');
  assert.equal(ansi.ansiToHtml('\x1b]0;title ended by ST\x1b\\after'), 'after');
  assert.equal(ansi.ansiToHtml('a\x1b[2Kb\x1b[1A\x1b[10;20Hc\x1b[?25l'), 'abc');
  assert.equal(ansi.ansiToHtml('\x1b(Bcharset\x1b=keypad'), 'charsetkeypad');
  assert.equal(ansi.ansiToHtml('bell\x07 and\x00 nul'), 'bell and nul');
});

test('a carriage return keeps only what was written after it, as a terminal shows it', () => {
  assert.equal(ansi.ansiToHtml('downloading 10%\rdownloading 55%\rdone'), 'done');
  assert.equal(ansi.ansiToHtml('windows line\r\nnext'), 'windows line\nnext');
  // A colour set before the \r still applies after it.
  assert.equal(ansi.ansiToHtml('\x1b[32mold\rnew'), '<span class="ansi-fg-2">new</span>');
});

test('lines close their own spans, and a colour carries over to the next line and the next chunk', () => {
  const first = ansi.ansiLines('\x1b[34mblue\nstill blue');
  assert.deepEqual(first.lines, ['<span class="ansi-fg-4">blue</span>', '<span class="ansi-fg-4">still blue</span>']);
  const second = ansi.ansiLines(' more\x1b[0m plain', first.state);
  assert.deepEqual(second.lines, ['<span class="ansi-fg-4"> more</span> plain']);
  assert.deepEqual(ansi.ansiLines('a\nb\n').lines, ['a', 'b']);
});

test('an escape cut off at the end of a chunk is not shown as text', () => {
  assert.equal(ansi.ansiToHtml('partial \x1b[3'), 'partial ');
  assert.equal(ansi.ansiToHtml('partial \x1b'), 'partial ');
  assert.equal(ansi.ansiToHtml('title \x1b]0;unterminated'), 'title ');
});

test('stripAnsi gives the plain text a user would copy', () => {
  assert.equal(ansi.stripAnsi('\x1b[1;31merror\x1b[0m: <bad> & "quoted"'), 'error: <bad> & "quoted"');
});

// --- charts.js -------------------------------------------------------------------------------------

const pathData = (svg: string, cls: string) => new RegExp(`<path class="${cls}" d="([^"]*)"`).exec(svg)?.[1] ?? '';
const pointsIn = (d: string) => d.match(/[ML]\s*-?[\d.]+,-?[\d.]+/g) ?? [];

test('sparkline: one point per sample, left to right in time, higher for more lines', () => {
  const samples: Samples = [
    [1_000, 0],
    [61_000, 40],
    [121_000, 90],
    [181_000, 200],
  ];
  const svg = charts.sparkline(samples, { width: 100, height: 20 });
  assert.match(svg, /^<svg[^>]* width="100" height="20"/);
  const points = pointsIn(pathData(svg, 'spark-line')).map((p) => p.slice(1).split(',').map(Number));
  assert.equal(points.length, samples.length);
  for (let i = 1; i < points.length; i++) {
    assert.ok(points[i]![0]! > points[i - 1]![0]!, 'x grows with time');
    assert.ok(points[i]![1]! < points[i - 1]![1]!, 'y goes up (smaller) as lines grow');
  }
  assert.match(svg, /<title>200 lines over 3m<\/title>/);
});

test('sparkline: samples out of order are drawn in time order; no samples draws an empty baseline', () => {
  const svg = charts.sparkline([
    [3_000, 30],
    [1_000, 10],
    [2_000, 20],
  ]);
  assert.equal(pointsIn(pathData(svg, 'spark-line')).length, 3);
  const empty = charts.sparkline([]);
  assert.ok(!empty.includes('spark-line'));
  assert.match(empty, /class="spark-empty"/);
  assert.equal(pointsIn(pathData(charts.sparkline([[5, 5]]), 'spark-line')).length, 1);
});

test('lineChart: one point per sample, a y axis in lines from 0 and an x axis in elapsed time', () => {
  const start = Date.parse('2025-01-01T10:00:00Z');
  const samples: Samples = [
    [start, 0],
    [start + 2 * MIN, 300],
    [start + 5 * MIN, 1_234],
  ];
  const svg = charts.lineChart(samples, { width: 600, height: 200 });
  assert.equal(pointsIn(pathData(svg, 'chart-line')).length, 3);
  const labels = [...svg.matchAll(/<text class="chart-label[^"]*"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
  assert.ok(labels.includes('0'), `labels: ${labels.join(' | ')}`);
  assert.ok(labels.includes('1.5k') || labels.includes('1k'), `a y label in thousands: ${labels.join(' | ')}`);
  assert.ok(labels.includes('5m'), `an x label at 5 minutes: ${labels.join(' | ')}`);
  assert.ok(labels.includes('lines'));
  assert.match(charts.lineChart([]), /no output yet/);
});

test('gantt: one bar per started phase, in execution order, coloured by state, with expected bands', () => {
  const t0 = Date.parse('2025-01-01T10:00:00Z');
  const iso = (ms: number) => new Date(ms).toISOString();
  const phases: Phase[] = [
    { id: '5', title: 'Integration tests', state: 'completed', startedAt: iso(t0), endedAt: iso(t0 + 6 * MIN), timing: { expectedMinMs: 5 * MIN, expectedMaxMs: 8 * MIN } },
    { id: '7', title: 'Docs', state: 'pending', startedAt: null, endedAt: null, timing: null },
    { id: '6', title: 'CLI', state: 'running', startedAt: iso(t0 + 7 * MIN), endedAt: null, timing: { expectedMinMs: 8 * MIN, expectedMaxMs: 12 * MIN } },
    { id: '4', title: 'Blocked one', state: 'blocked', startedAt: iso(t0 - 20 * MIN), endedAt: iso(t0 - 2 * MIN), timing: null },
  ];
  const svg = charts.gantt(phases, { width: 900, now: t0 + 20 * MIN });
  const bars = [...svg.matchAll(/<rect class="gantt-bar state-([a-z-]+)[^"]*" data-phase-id="([^"]*)" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/g)];
  assert.deepEqual(
    bars.map((b) => [b[2], b[1]]),
    [
      ['4', 'blocked'],
      ['5', 'completed'],
      ['6', 'running'],
    ],
  );
  assert.equal((svg.match(/class="gantt-band"/g) ?? []).length, 2);
  // The running phase's bar reaches "now": 13 minutes, longer than the 6-minute completed one.
  const width = (id: string) => Number(bars.find((b) => b[2] === id)![4]);
  assert.ok(width('6') > width('5') * 2);
  assert.match(svg, />6m \/ 5–8m</);
  assert.match(svg, /class="gantt-dur[^"]* over"[^>]*>13m \/ 8–12m</);
  assert.match(svg, /class="gantt-pending"[^>]*>pending</);
  assert.ok(svg.includes('class="gantt-now"'));
});

test('gantt: titles are escaped, and a plan with no started phase says so', () => {
  const svg = charts.gantt([{ id: '1"><script>', title: '<img src=x onerror=alert(1)>', state: 'pending' }]);
  assert.ok(!svg.includes('<script'));
  assert.ok(!svg.includes('<img'));
  assert.ok(svg.includes('&lt;img src=x onerror=alert(1)&gt;'));
  assert.match(svg, /no phase has started yet/);
  assert.equal((svg.match(/class="gantt-bar/g) ?? []).length, 0);
});

test('durations read the way the dashboard shows them', () => {
  assert.equal(charts.formatDuration(250_000), '4m 10s');
  assert.equal(charts.formatDuration(12_400), '12s');
  assert.equal(charts.formatDuration(3_900_000), '1h 5m');
  assert.equal(charts.formatRange(2 * MIN, 10 * MIN), '2–10m');
  assert.equal(charts.formatRange(30_000, 45_000), '30–45s');
  assert.equal(charts.formatRange(90_000, 150_000), '1m 30s–2m 30s');
});

// --- plan-dag.js and the timeline of a parallel plan ------------------------------------------------

/** A → (B, C) → D, listed in plan order with C before B to show the layer keeps plan order. */
const diamond = (): Phase[] => [
  { id: 'A', title: 'Schema', state: 'committed', needs: [] },
  { id: 'C', title: 'Client', state: 'running', needs: ['A'] },
  { id: 'B', title: 'Backend', state: 'merge-queued', stage: 'queued-to-merge', mergePlace: 2, needs: ['A'] },
  { id: 'D', title: 'Docs', state: 'pending', stage: 'waiting-on-needs', needs: ['B', 'C'] },
];

test('dag layers: a phase sits one layer after the deepest phase it needs, in plan order within its layer', () => {
  assert.deepEqual(dag.dagLayers(diamond()), {
    layers: [['A'], ['C', 'B'], ['D']],
    edges: [
      { from: 'A', to: 'C' },
      { from: 'A', to: 'B' },
      { from: 'B', to: 'D' },
      { from: 'C', to: 'D' },
    ],
  });
  // A need that skips a layer is still an edge; its phase goes after the deepest one.
  const skipping = dag.dagLayers([
    { id: '1', state: 'pending' },
    { id: '2', state: 'pending', needs: ['1'] },
    { id: '3', state: 'pending', needs: ['1', '2', '1'] },
    { id: '4', state: 'pending' },
  ]);
  assert.deepEqual(skipping.layers, [['1', '4'], ['2'], ['3']]);
  assert.deepEqual(skipping.edges.map((e) => `${e.from}>${e.to}`), ['1>2', '1>3', '2>3']);
});

test('dag layers: unknown ids, self needs and loops (which validation refuses) are dropped, not drawn', () => {
  const odd = dag.dagLayers([
    { id: 'a', state: 'pending', needs: ['ghost', 'a'] },
    { id: 'b', state: 'pending', needs: ['c'] },
    { id: 'c', state: 'pending', needs: ['b'] },
  ]);
  assert.deepEqual(odd.layers.flat().sort(), ['a', 'b', 'c'], 'every phase is drawn once');
  assert.ok(odd.edges.every((e) => e.from !== 'ghost' && e.from !== e.to), JSON.stringify(odd.edges));
  assert.ok(odd.edges.length <= 1, 'at most one edge of the loop survives');
  assert.equal(dag.hasNeeds(diamond()), true);
  assert.equal(dag.hasNeeds([{ id: '1', state: 'pending', needs: [] }, { id: '2', state: 'pending' }]), false);
});

test('dag geometry: layers are columns left to right, a short column centred, arrows from right edge to left edge', () => {
  const geo = dag.dagGeometry(dag.dagLayers(diamond()));
  const at = Object.fromEntries(geo.nodes.map((n) => [n.id, n]));
  assert.ok(at.A!.x < at.C!.x && at.C!.x === at.B!.x && at.B!.x < at.D!.x);
  assert.ok(at.C!.y < at.B!.y, 'C before B, as in the plan');
  assert.equal(at.A!.y, (at.C!.y + at.B!.y) / 2, 'A is centred on its neighbours');
  assert.equal(at.D!.y, at.A!.y);
  assert.ok(geo.width >= at.D!.x + dag.NODE_W && geo.height >= at.B!.y + dag.NODE_H);
  for (const e of geo.edges) {
    const [start, end] = [/^M([\d.]+),([\d.]+)/.exec(e.d)!, /([\d.]+),([\d.]+)$/.exec(e.d)!];
    assert.equal(Number(start[1]), at[e.from]!.x + dag.NODE_W, `${e.from}>${e.to} leaves the right edge`);
    assert.ok(Math.abs(Number(end[1]) - at[e.to]!.x) <= 4, `${e.from}>${e.to} ends at the left edge`);
    assert.equal(Number(end[2]), at[e.to]!.y + dag.NODE_H / 2);
  }
});

test('stage words: the merge place on a queued phase, the state when a status has no stage', () => {
  const [a, c, b, d] = diamond();
  assert.equal(dag.stageText(b!), 'queued to merge #2');
  assert.equal(dag.stageText(d!), 'waiting on needs');
  assert.equal(dag.stageText(c!), 'running');
  assert.equal(dag.stageText(a!), 'committed');
  assert.equal(dag.stageText({ id: 'x', state: 'merge-queued', stage: 'queued-to-merge', mergePlace: null }), 'queued to merge');
  assert.equal(dag.overlapWarning({ phases: ['B', 'C'], paths: ['src/x.ts'] }), 'B and C may run side by side and both name src/x.ts');
  assert.equal(dag.overlapWarning({ phases: ['B', 'C'], paths: ['a', 'b', 'c', 'd', 'e'] }), 'B and C may run side by side and both name a, b, c and 2 more');
});

test('timeline: phases that ran at the same time share a stretch, drawn on one axis; serial phases share none', () => {
  const t0 = Date.parse('2025-01-01T10:00:00Z');
  const iso = (ms: number) => new Date(ms).toISOString();
  const phases: Phase[] = [
    { id: 'A', title: 'Schema', state: 'committed', startedAt: iso(t0), endedAt: iso(t0 + 2 * MIN) },
    { id: 'B', title: 'Backend', state: 'committed', startedAt: iso(t0 + 2 * MIN), endedAt: iso(t0 + 7 * MIN) },
    { id: 'C', title: 'Client', state: 'running', startedAt: iso(t0 + 3 * MIN), endedAt: null },
    { id: 'D', title: 'Docs', state: 'pending', stage: 'waiting-on-needs', startedAt: null, endedAt: null },
  ];
  const now = t0 + 9 * MIN;
  assert.deepEqual(charts.concurrentSpans(phases, now), [{ start: t0 + 3 * MIN, end: t0 + 7 * MIN, ids: ['B', 'C'] }]);
  // A ends as B starts: touching end to end is not side by side.
  assert.deepEqual(charts.concurrentSpans(phases.slice(0, 2), now), []);

  const svg = charts.gantt(phases, { width: 900, now });
  const bars = Object.fromEntries([...svg.matchAll(/<rect class="gantt-bar [^"]*" data-phase-id="([^"]*)" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)"/g)].map((m) => [m[1], { x: Number(m[2]), y: Number(m[3]), w: Number(m[4]) }]));
  assert.deepEqual(Object.keys(bars), ['A', 'B', 'C'], 'a row each, in start order');
  assert.ok(bars.B!.x < bars.C!.x && bars.C!.x < bars.B!.x + bars.B!.w, 'C starts while B runs: the bars overlap on the axis');
  assert.ok(bars.B!.y < bars.C!.y, 'on rows of their own');
  assert.equal((svg.match(/class="gantt-overlap"/g) ?? []).length, 1);
  assert.match(svg, /<title>B, C ran side by side for 4m<\/title>/);
  assert.match(svg, /class="gantt-pending"[^>]*>waiting on needs</, 'a phase not started shows its stage');
  assert.ok(!charts.gantt(phases.slice(0, 2), { width: 900, now }).includes('gantt-overlap'), 'a serial plan looks as before');
});
