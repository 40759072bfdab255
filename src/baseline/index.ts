import { join } from 'node:path';
import type { Baseline, FileChange } from './types.js';
import { diffTrees, gitRepoRoot, headCommit, patchBetween, snapshotWorkingTree } from './git-tree.js';
import { compareSnapshots, loadSnapshot, saveSnapshot, snapshotFiles } from './file-snapshot.js';

export type { Baseline, FileChange } from './types.js';

/** Records the directory's state before the agent starts. `runDir` holds the snapshot file outside git. */
export async function takeBaseline(dir: string, runDir: string): Promise<Baseline> {
  const repoRoot = await gitRepoRoot(dir);
  if (repoRoot) {
    const [tree, head] = await Promise.all([snapshotWorkingTree(repoRoot), headCommit(repoRoot)]);
    return { kind: 'git', repoRoot, tree, head, takenAt: Date.now() };
  }
  const { files, truncated } = await snapshotFiles(dir);
  const snapshotPath = join(runDir, 'baseline.json');
  await saveSnapshot(snapshotPath, files);
  return { kind: 'files', root: dir, snapshotPath, fileCount: Object.keys(files).length, truncated, takenAt: Date.now() };
}

export interface BaselineDiff {
  changes: FileChange[];
  /** Unified diff, available for git baselines only. */
  patch?: string;
}

/** What changed in the directory since the baseline, as it is now. */
export async function diffSinceBaseline(baseline: Baseline, options: { patch?: boolean } = {}): Promise<BaselineDiff> {
  if (baseline.kind === 'git') {
    const now = await snapshotWorkingTree(baseline.repoRoot);
    const changes = await diffTrees(baseline.repoRoot, baseline.tree, now);
    if (!options.patch) return { changes };
    return { changes, patch: await patchBetween(baseline.repoRoot, baseline.tree, now) };
  }
  const before = await loadSnapshot(baseline.snapshotPath);
  const { files: after } = await snapshotFiles(baseline.root);
  return { changes: compareSnapshots(before, after) };
}
