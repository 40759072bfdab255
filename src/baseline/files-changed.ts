import { isAbsolute, join, relative } from 'node:path';
import { isAgentBookkeeping } from './bookkeeping.js';
import { baselineStoreDir, diffSinceBaseline } from './index.js';
import type { Baseline } from './types.js';

/** The digest is stored with the run and read by every status: a run that generates thousands of files lists the first ones. */
const FILES_KEPT = 500;

/**
 * The files a run left added or modified, against its launch baseline: the same answer as `baton diff`,
 * whatever wrote them (an edit tool, `cat > f`, a script). Absolute paths. Deleted files are left out:
 * this list is what the run produced ("You created …"); `baton diff` shows deletions. Agent
 * bookkeeping (`.omo/`) is left out too, seen from the repository root and from the run's own dir.
 */
export async function filesChangedSince(baseline: Baseline, runDir: string, workDir: string, largeFileBytes?: number): Promise<string[]> {
  const root = baseline.kind === 'git' ? baseline.repoRoot : baseline.root;
  const { changes } = await diffSinceBaseline(baseline, { storeDir: baselineStoreDir(runDir), largeFileBytes });
  const files: string[] = [];
  for (const change of changes) {
    if (change.change === 'deleted' || isAgentBookkeeping(change.path)) continue;
    const file = join(root, change.path);
    const fromWorkDir = relative(workDir, file);
    if (!fromWorkDir.startsWith('..') && !isAbsolute(fromWorkDir) && isAgentBookkeeping(fromWorkDir)) continue;
    if (files.push(file) >= FILES_KEPT) break;
  }
  return files;
}
