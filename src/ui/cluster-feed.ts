import type { Baton } from '../baton.js';

/** How long to wait before trying Redis again when the dashboard could not subscribe. */
const RETRY_MS = 5_000;

/**
 * The dashboard's tie to the cluster: while a page is open, what workers publish is folded into the
 * store as it is pushed (Baton.followCluster), and `pushed` lets the change feed send it at once
 * instead of at its next look. Without a cluster it does nothing; with Redis away it says so once on
 * stderr and tries again, and the pages go on showing the store.
 */
export class ClusterFeed {
  private stopper: (() => void) | undefined;
  private connecting = false;
  private wanted = false;
  private retry: NodeJS.Timeout | undefined;
  private lastProblem = '';

  constructor(
    private readonly baton: Baton,
    private readonly pushed: () => void,
  ) {}

  start(): void {
    this.wanted = true;
    void this.connect();
  }

  stop(): void {
    this.wanted = false;
    clearTimeout(this.retry);
    this.stopper?.();
    this.stopper = undefined;
  }

  private async connect(): Promise<void> {
    if (this.stopper || this.connecting || !this.wanted) return;
    this.connecting = true;
    try {
      if (!this.baton.clustered) return;
      const stop = await this.baton.followCluster({ onChange: () => this.pushed(), onError: (error) => this.report(error) });
      if (this.wanted) this.stopper = stop;
      else stop();
      this.lastProblem = '';
    } catch (error) {
      this.report(error);
      this.retry = setTimeout(() => void this.connect(), RETRY_MS);
      this.retry.unref();
    } finally {
      this.connecting = false;
    }
  }

  /** A problem once, not once a second while Redis stays away. */
  private report(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    if (message === this.lastProblem) return;
    this.lastProblem = message;
    process.stderr.write(`baton ui: following the cluster: ${message}\n`);
  }
}
