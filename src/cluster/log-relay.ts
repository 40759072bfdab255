import type { Redis } from 'ioredis';
import type { Baton } from '../baton.js';
import { isActive, type RunState } from '../store/runs.js';
import { readFrom } from '../tail.js';
import { localRunName } from './job.js';
import { CLUSTER_KEYS } from './keys.js';

/** One message on a run's log channel: the bytes [from, to) of its log, and at the end the run's state. */
export interface LogChunk {
  from: number;
  to: number;
  text: string;
  end?: RunState;
}

const CHUNK_BYTES = 256 * 1024;

/**
 * Worker: relays the log of the runs someone follows from the lead, on a channel per run, as it
 * grows. Only while a follower keeps the run's follow key alive: nobody following, nothing published.
 * The log itself stays here; reading it is a local file read.
 */
export class LogRelay {
  /** Lead run id → the byte offset relayed up to. */
  private readonly cursors = new Map<string, number>();
  private busy = false;

  constructor(
    private readonly redis: Redis,
    private readonly local: Baton,
  ) {}

  /** A follower wants the log from `from`: several followers share one cursor, at the earliest offset any wants. */
  want(runId: string, from: number): void {
    const cursor = this.cursors.get(runId);
    if (cursor === undefined || from < cursor) this.cursors.set(runId, from);
  }

  /** Publishes what each followed log gained; once its run ended, the rest and the end. */
  async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      for (const [runId, cursor] of this.cursors) {
        if ((await this.redis.exists(CLUSTER_KEYS.following(runId))) === 0) {
          this.cursors.delete(runId);
          continue;
        }
        let record;
        try {
          record = this.local.resolveRun(localRunName(runId));
        } catch {
          // Not started here yet (the code is still being checked out): its follower waits.
          continue;
        }
        // The state is read before the log, so everything written before the end is sent before it.
        const ended = !isActive(record.state);
        let position = cursor;
        for (let chunk = readFrom(record.logPath, position, CHUNK_BYTES); chunk.text.length > 0; chunk = readFrom(record.logPath, position, CHUNK_BYTES)) {
          await this.publish(runId, { from: position, to: chunk.next, text: chunk.text });
          position = chunk.next;
        }
        this.cursors.set(runId, position);
        if (ended) {
          await this.publish(runId, { from: position, to: position, text: '', end: record.state });
          this.cursors.delete(runId);
        }
      }
    } finally {
      this.busy = false;
    }
  }

  private async publish(runId: string, chunk: LogChunk): Promise<void> {
    await this.redis.publish(CLUSTER_KEYS.log(runId), JSON.stringify(chunk));
  }
}
