import { test } from 'node:test';
import assert from 'node:assert/strict';
import { thinOlderHalf } from '../../src/supervise/supervisor.js';

test('growth samples stay bounded yet keep the whole run: recent ones whole, older ones thinned', () => {
  let samples: [number, number][] = [];
  // Four hours of a sample every 15 s, bounded at 80 the way the supervisor bounds it.
  for (let t = 0; t <= 4 * 3_600_000; t += 15_000) {
    samples.push([t, t / 1_000]);
    if (samples.length > 80) samples = thinOlderHalf(samples);
  }
  assert.ok(samples.length <= 80);
  assert.equal(samples[0]![0], 0, 'the start of the run is still there');
  assert.equal(samples.at(-1)![0], 4 * 3_600_000);
  const lastGaps = samples.slice(-20).map((s, i, all) => (i === 0 ? 15_000 : s[0] - all[i - 1]![0]));
  assert.ok(lastGaps.every((gap) => gap === 15_000), 'the last minutes keep full resolution (for +N/min)');
  for (let i = 1; i < samples.length; i++) assert.ok(samples[i]![0] > samples[i - 1]![0], 'in time order');
});
