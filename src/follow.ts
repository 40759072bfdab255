import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { isActive, type RunState } from './store/runs.js';
import { readFrom } from './tail.js';

/**
 * What following a run's log yields: a skip when the reader is further behind than it wants to
 * replay, text as it is appended, the run's record changing (after the text written before it),
 * nothing new this poll (a consumer may keep a connection alive then), and the end once the run is
 * over and its log drained.
 */
export type FollowEvent =
  | { kind: 'text'; text: string; offset: number }
  | { kind: 'skipped'; bytes: number; offset: number }
  | { kind: 'changed'; state: RunState; updatedAt: number }
  | { kind: 'idle' }
  | { kind: 'end'; state: RunState };

export interface FollowOptions {
  signal?: AbortSignal;
  pollMs?: number;
  /**
   * Further behind than this, only the newest part (from the start of a line) is replayed, and at
   * most this much is yielded before the record is looked at again, so a fast writer never starves
   * `changed` and `end`. Unbounded by default.
   */
  maxBacklogBytes?: number;
  chunkBytes?: number;
}

/** What following needs of the store: the run's state now, and a way to settle a run whose supervisor died. */
export interface FollowSource {
  logPath: string;
  /** Undefined once the run is gone. */
  stateOf(): { state: RunState; updatedAt: number } | undefined;
  reconcile(): void;
  reconcileEveryMs: number;
}

/**
 * Streams a run's log from `offset` until the run ends (or the signal aborts). The state is read
 * before each drain, so everything written before the run ended is yielded before `end`.
 */
export async function* followLog(source: FollowSource, offset: number, options: FollowOptions = {}): AsyncGenerator<FollowEvent> {
  const backlog = options.maxBacklogBytes ?? Number.POSITIVE_INFINITY;
  let position = offset;
  let seenUpdate: number | undefined;
  let nextReconcile = Date.now() + source.reconcileEveryMs;
  while (!options.signal?.aborted) {
    let current = source.stateOf();
    // A supervisor that died leaves "running" behind: settling it now and then ends the follow.
    if (current && isActive(current.state) && Date.now() >= nextReconcile) {
      source.reconcile();
      current = source.stateOf();
      nextReconcile = Date.now() + source.reconcileEveryMs;
    }
    if (!current) return;
    const behind = logSize(source.logPath) - position;
    if (behind > backlog) {
      const skipTo = startOfNextLine(source.logPath, position + behind - backlog);
      yield { kind: 'skipped', bytes: skipTo - position, offset: skipTo };
      position = skipTo;
    }
    let sent = 0;
    let chunk = readFrom(source.logPath, position, options.chunkBytes);
    while (chunk.text.length > 0 && sent < backlog && !options.signal?.aborted) {
      sent += chunk.next - position;
      position = chunk.next;
      yield { kind: 'text', text: chunk.text, offset: chunk.next };
      chunk = readFrom(source.logPath, position, options.chunkBytes);
    }
    if (current.updatedAt !== seenUpdate) {
      seenUpdate = current.updatedAt;
      yield { kind: 'changed', state: current.state, updatedAt: current.updatedAt };
    }
    if (chunk.text.length > 0) continue; // stopped at the backlog bound: look at the record, then go on
    if (!isActive(current.state)) {
      yield { kind: 'end', state: current.state };
      return;
    }
    if (sent === 0) yield { kind: 'idle' };
    try {
      await sleep(options.pollMs ?? 100, undefined, options.signal ? { signal: options.signal } : undefined);
    } catch {
      return; // aborted
    }
  }
}

function logSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** The offset just past the next newline at or after `from` (or `from` when there is none nearby). */
function startOfNextLine(path: string, from: number): number {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buffer = Buffer.alloc(64 * 1024);
    const read = readSync(fd, buffer, 0, buffer.length, from);
    const newline = buffer.subarray(0, read).indexOf(10);
    return newline < 0 ? from : from + newline + 1;
  } catch {
    return from;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
