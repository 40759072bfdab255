import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskGuard } from '../../src/supervise/disk-guard.js';
import { renderReason } from '../../src/reasons.js';

/** The reason the guard adds, as the run's `reasons` shows it. */
function settled(guard: DiskGuard): string | null {
  const fault = guard.settle();
  return fault && renderReason(fault);
}

function fault(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

test('a full disk on a progress write is remembered, not fatal, and becomes the first reason with the reserve given back', () => {
  const home = mkdtempSync(join(tmpdir(), 'baton-disk-guard-'));
  const guard = new DiskGuard(home, home);
  guard.reserve();
  assert.equal(statSync(join(home, 'disk-reserve')).size, 256 * 1024);
  guard.attempt(() => {
    throw fault('SQLITE_FULL', 'database or disk is full');
  });
  guard.attempt(() => undefined);
  assert.equal(settled(guard), `Baton could not record this run fully: the disk holding ${home} is full (SQLITE_FULL); the log and the record stop where the disk filled`);
  assert.equal(existsSync(join(home, 'disk-reserve')), false);
});

test('other store faults are named with their advice; errors that are not the store still throw', () => {
  const home = mkdtempSync(join(tmpdir(), 'baton-disk-guard-'));
  const guard = new DiskGuard(home, home);
  guard.attempt(() => {
    throw fault('SQLITE_IOERR_FSYNC', 'disk I/O error');
  });
  assert.match(settled(guard)!, new RegExp(`disk I/O error on the Baton store ${join(home, 'baton.db')}`));
  assert.throws(() => guard.attempt(() => {
    throw new TypeError('a bug');
  }), TypeError);
  assert.equal(settled(new DiskGuard(home, home)), null, 'a healthy disk adds no reason');
});
