import type { Baton } from '../baton.js';
import type { Plans } from '../plans/service.js';
import type { PhaseHistory } from '../plans/timing.js';
import { ClusterFeed } from './cluster-feed.js';
import { planRow, runRow, type PlanRow, type RunRow } from './views.js';

/**
 * updated_at is stamped before a writer gets SQLite's lock, and a writer may wait up to the busy
 * timeout (10 s) for it: such a change commits with a time older than the cursor. Looking this far
 * back (and skipping what was already sent) catches it, and catches changes made just before a page
 * subscribed.
 */
const LATE_COMMIT_MS = 12_000;

export type FeedMessage = { event: 'runs'; runs: RunRow[] } | { event: 'plans'; plans: PlanRow[] };
type Subscriber = (message: FeedMessage) => void;

/**
 * One poller of the store for every open page: runs and plans whose updated_at moved since the last
 * look become `runs` / `plans` messages. Supervisors flush a running run about every 500 ms, so with
 * a 200 ms poll a new event reaches the page well inside a second. It polls only while someone
 * listens.
 */
export class ChangeFeed {
  private readonly subscribers = new Set<Subscriber>();
  private timer: NodeJS.Timeout | undefined;
  private cursor = 0;
  /** What was sent within the look-back window, by run or plan: a change is sent once. */
  private sent = new Map<string, number>();
  /** Cluster runs change in Redis, not in this store: folded as workers push, then sent at once. */
  private readonly cluster: ClusterFeed;

  constructor(
    private readonly baton: Baton,
    private readonly plans: Plans,
    private readonly history: () => PhaseHistory,
    private readonly intervalMs = 200,
  ) {
    this.cluster = new ClusterFeed(baton, () => this.tick());
  }

  subscribe(subscriber: Subscriber): () => void {
    if (this.subscribers.size === 0) {
      this.cursor = Date.now();
      this.sent.clear();
      this.timer = setInterval(() => this.tick(), this.intervalMs);
      this.timer.unref();
      this.cluster.start();
    }
    this.subscribers.add(subscriber);
    return () => {
      this.subscribers.delete(subscriber);
      if (this.subscribers.size === 0) this.stop();
    };
  }

  stop(): void {
    this.cluster.stop();
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private fresh(key: string, updatedAt: number): boolean {
    if (this.sent.get(key) === updatedAt) return false;
    this.sent.set(key, updatedAt);
    return true;
  }

  /** Public for tests: one look at the store. */
  tick(): void {
    let runs: RunRow[] = [];
    let plans: PlanRow[] = [];
    let newest = this.cursor;
    try {
      const since = this.cursor - LATE_COMMIT_MS;
      const changedRuns = this.baton.changedSince(since, (id, updatedAt) => this.fresh(`run:${id}`, updatedAt));
      const changedPlans = this.plans.changedSince(since).filter(({ id, updatedAt }) => this.fresh(`plan:${id}`, updatedAt));
      if (changedRuns.length > 0) {
        const history = this.history();
        runs = changedRuns.map((view) => runRow(this.baton, view, history));
      }
      plans = changedPlans.map(({ id }) => planRow(this.plans.status(id)));
      newest = Math.max(newest, ...changedRuns.map((r) => r.record.updatedAt), ...changedPlans.map((p) => p.updatedAt));
    } catch (error) {
      process.stderr.write(`baton ui: reading the store failed: ${error instanceof Error ? error.message : String(error)}\n`);
      return;
    }
    if (newest > this.cursor) {
      this.cursor = newest;
      for (const [key, at] of this.sent) if (at < newest - LATE_COMMIT_MS) this.sent.delete(key);
    }
    for (const subscriber of this.subscribers) {
      if (runs.length > 0) subscriber({ event: 'runs', runs });
      if (plans.length > 0) subscriber({ event: 'plans', plans });
    }
  }
}
