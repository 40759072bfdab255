import { flag, requireIds } from '../args.js';
import { defineCommand } from '../define.js';

const MARK = { added: 'A', modified: 'M', deleted: 'D' } as const;

export const diffCommand = defineCommand({
  name: 'diff',
  summary: 'files a run changed since it launched',
  positionals: [{ name: 'ID' }],
  about: `In a git repository the baseline is a snapshot of the whole working tree (untracked files included,
ignored ones not) taken just before the agent started, so your own earlier uncommitted edits are not
counted as the run's. Elsewhere it compares file sizes and times. Files over 32 MiB
(BATON_LARGE_FILE_BYTES) are not read: their changes are judged by size and mtime, and the output names them.
A cluster run is diffed from its base commit to the result its worker pushed, both fetched from the remote
under refs/baton/runs/<id>/ (your branches and checkout stay as they are).`,
  options: [{ name: 'patch', description: 'also print the unified diff (git only)' }],
  json: 'print {"id","baseline","changes":[{"path","change"}],"skipped"?:[{"path","size"}],"patch"?}',
}, {
  async run(args, io, baton) {
    const [id] = requireIds(args, 'diff', 1);
    const result = await baton().diff(id!, { patch: flag(args, 'patch') });
    const lines = result.changes.map((c) => `${MARK[c.change]} ${c.path}`);
    const text = [
      io.style.dim(`${result.id}: ${result.changes.length} file(s) changed since ${result.baseline}`),
      ...lines,
      ...(result.skipped ?? []).map((f) => io.style.dim(`  not hashed (over the large-file bound, compared by size and mtime): ${f.path} (${f.size} bytes)`)),
      ...(result.patch ? ['', result.patch.trimEnd()] : []),
    ].join('\n');
    return { exitCode: 0, json: result, text };
  },
});
