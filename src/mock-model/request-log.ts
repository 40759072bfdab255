/**
 * Every request the mock receives, kept in memory and optionally appended to a JSONL file, so a
 * test (or `baton demo`) can check exactly what an agent sent: the prompt byte for byte, the tools
 * offered, which script step answered.
 */
import { appendFileSync } from 'node:fs';
import type { AnsweredBy } from './script-cursor.js';

export interface LoggedRequest {
  /** 1-based order of arrival. */
  seq: number;
  /** ISO 8601 arrival time. */
  time: string;
  method: string;
  /** Path without the query string. */
  path: string;
  /** The body parsed as JSON; null when there was none or it was not JSON. */
  body: unknown;
  /** HTTP status answered (200 for streams, including ones that hang). */
  status: number;
  /** Protocol that handled the request (`chat-completions`), null for other routes. */
  protocol: string | null;
  /** What answered a model request; null when none did (rejected, not found, the log route). */
  answeredBy: AnsweredBy | null;
  /** Index in the script's steps of the step that answered, when one did. */
  stepIndex: number | null;
  lastUserText: string | null;
  hasTools: boolean;
  toolNames: string[];
  /** Working directory found in the system prompt. */
  workdir: string | null;
}

export class RequestLog {
  private readonly entries: LoggedRequest[] = [];

  /** `jsonlPath`: file each entry is appended to as one line, created if missing. */
  constructor(private readonly jsonlPath?: string) {}

  record(entry: LoggedRequest): void {
    this.entries.push(entry);
    // Synchronous on purpose: lines land in arrival order and are on disk before the answer goes
    // out, so a test reading the file after a response never misses the request behind it.
    if (this.jsonlPath !== undefined) appendFileSync(this.jsonlPath, `${JSON.stringify(entry)}\n`);
  }

  /** A copy, so callers can't disturb the log. */
  list(): LoggedRequest[] {
    return [...this.entries];
  }
}
