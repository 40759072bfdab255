/** The state of a run's directory when it launched, so that `baton diff` can say what the run changed. */
export type Baseline =
  /** A git tree object holding the whole working tree (tracked + untracked, not ignored) at launch. */
  | { kind: 'git'; repoRoot: string; tree: string; head: string | null; takenAt: number }
  /** Outside git: size and mtime of every file, kept in a JSON file beside the run's log. */
  | { kind: 'files'; root: string; snapshotPath: string; fileCount: number; truncated: boolean; takenAt: number };

export type ChangeKind = 'added' | 'modified' | 'deleted';

export interface FileChange {
  path: string;
  change: ChangeKind;
}
