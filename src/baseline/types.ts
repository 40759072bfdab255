/** The state of a run's directory when it launched, so that `baton diff` can say what the run changed. */
export type Baseline =
  /**
   * A git tree object holding the whole working tree (tracked + untracked, not ignored) at launch.
   * `objects`: the Baton-owned object store holding the tree (absent in baselines from before there
   * was one, whose trees went into the repo). `skipped`: files too large to hash, compared by size and mtime.
   */
  | { kind: 'git'; repoRoot: string; tree: string; head: string | null; takenAt: number; objects?: string; skipped?: SkippedSummary[] }
  /** Outside git: size and mtime of every file, kept in a JSON file beside the run's log. */
  | { kind: 'files'; root: string; snapshotPath: string; fileCount: number; truncated: boolean; takenAt: number };

export interface SkippedSummary {
  path: string;
  size: number;
}

export type ChangeKind = 'added' | 'modified' | 'deleted';

export interface FileChange {
  path: string;
  change: ChangeKind;
}
