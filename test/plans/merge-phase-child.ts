/**
 * A driver that only merges one phase, for the test that SIGKILLs it at random moments:
 * `node merge-phase-child.js REPO WORKTREE_JSON STATE_DIR`. What the driver persists (the merge record,
 * the rebased base, the outcome) goes into STATE_DIR as whole files, as the store's writes are whole.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mergePhase } from '../../src/plans/merge.js';
import { phaseCommitMessage } from '../../src/plans/git-state.js';

const [root, worktreeJson, stateDir] = process.argv.slice(2) as [string, string, string];

function persist(name: string, value: unknown): void {
  const file = join(stateDir, name);
  writeFileSync(`${file}.tmp`, JSON.stringify(value));
  renameSync(`${file}.tmp`, file);
}

const outcome = await mergePhase({
  root,
  branch: 'main',
  worktree: JSON.parse(worktreeJson),
  message: phaseCommitMessage('pr1', 'B', 'b'),
  subdir: '',
  verify: async () => ({ passed: true, at: Date.now() }),
  recordMerging: (merge) => persist('merging.json', merge),
  onRebased: (base) => persist('base.json', base),
});
persist('outcome.json', outcome);
