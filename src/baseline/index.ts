import { join } from 'node:path';
import type { Baseline, FileChange, SkippedSummary } from './types.js';
import { diffTrees, gitRepoRoot, headCommit, patchBetween, snapshotWorkingTree } from './git-tree.js';
import { compareSnapshots, loadSnapshot, saveSnapshot, snapshotFiles } from './file-snapshot.js';
import { openObjectStore } from './object-store.js';

export type { Baseline, FileChange, SkippedSummary } from './types.js';
export { AGENT_BOOKKEEPING_PREFIXES, isAgentBookkeeping } from './bookkeeping.js';

/**
 * The whole baseline (or a diff's fresh snapshot) gives up after this long rather than hold a launch:
 * large files are already skipped, so only a huge number of files can take this long.
 */
export const BASELINE_TIME_LIMIT_MS = 120_000;

/** Where a run's snapshot objects and scratch index live: inside its own run dir. */
export function baselineStoreDir(runDir: string): string {
  return join(runDir, 'git');
}

/** Records the directory's state before the agent starts. `runDir` holds the snapshot (objects or file) outside the repo. */
export async function takeBaseline(dir: string, runDir: string, options: { largeFileBytes?: number } = {}): Promise<Baseline> {
  const repoRoot = await gitRepoRoot(dir);
  if (repoRoot) {
    const objects = baselineStoreDir(runDir);
    const deadline = Date.now() + BASELINE_TIME_LIMIT_MS;
    const [{ tree, skipped }, head] = await Promise.all([snapshotWorkingTree(repoRoot, objects, { deadline, ...options }), headCommit(repoRoot)]);
    return { kind: 'git', repoRoot, tree, head, takenAt: Date.now(), objects, skipped: skipped.map(({ path, size }) => ({ path, size })) };
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
  /** Files too large to hash, now or at launch: their changes are judged by size and mtime alone. */
  skipped?: SkippedSummary[];
}

/** What changed in the directory since the baseline, as it is now. */
export async function diffSinceBaseline(baseline: Baseline, options: { patch?: boolean; storeDir?: string; largeFileBytes?: number } = {}): Promise<BaselineDiff> {
  if (baseline.kind === 'git') {
    // Baselines from before the Baton object store had their tree in the repo: the new snapshot still goes to `storeDir`.
    const storeDir = baseline.objects ?? options.storeDir;
    if (storeDir === undefined) throw new Error('this baseline has no object store; pass storeDir');
    const store = await openObjectStore(baseline.repoRoot, storeDir);
    const now = await snapshotWorkingTree(baseline.repoRoot, storeDir, { deadline: Date.now() + BASELINE_TIME_LIMIT_MS, largeFileBytes: options.largeFileBytes });
    const changes = await diffTrees(baseline.repoRoot, baseline.tree, now.tree, store);
    const skippedPaths = new Map<string, SkippedSummary>();
    for (const file of [...(baseline.skipped ?? []), ...now.skipped.map(({ path, size }) => ({ path, size }))]) skippedPaths.set(file.path, file);
    const skipped = [...skippedPaths.values()].sort((a, b) => a.path.localeCompare(b.path));
    const result: BaselineDiff = { changes, ...(skipped.length > 0 && { skipped }) };
    if (!options.patch) return result;
    return { ...result, patch: await patchBetween(baseline.repoRoot, baseline.tree, now.tree, [], store) };
  }
  const before = await loadSnapshot(baseline.snapshotPath);
  const { files: after } = await snapshotFiles(baseline.root);
  return { changes: compareSnapshots(before, after) };
}
