import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { claimHostRow } from '../../src/store/host-lock.js';

test('the host row: a live holder keeps it, a dead one is taken over, a release frees it', (t) => {
  const home = mkdtempSync(join(tmpdir(), 'baton-host-lock-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const seen: number[] = [];
  const first = claimHostRow(home, { pid: 101, startTicks: 'a' }, () => assert.fail('no holder yet'));
  assert.ok(first);
  assert.equal(claimHostRow(home, { pid: 202, startTicks: 'b' }, (holder) => (seen.push(holder.pid), true)), null, 'a live holder keeps the lock');
  const second = claimHostRow(home, { pid: 303, startTicks: 'c' }, (holder) => (seen.push(holder.pid), false));
  assert.ok(second, 'a dead holder is taken over');
  assert.deepEqual(seen, [101, 101]);
  first!(); // not the holder any more: releases nothing
  assert.equal(claimHostRow(home, { pid: 404, startTicks: 'd' }, (holder) => holder.pid === 303), null);
  second!();
  const third = claimHostRow(home, { pid: 505, startTicks: 'e' }, () => assert.fail('released: no holder'));
  assert.ok(third);
  third!();
});
