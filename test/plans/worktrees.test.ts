import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { isAgentBookkeeping } from '../../src/baseline/bookkeeping.js';
import {
  clearStaleGitLocks,
  commitPhaseWork,
  ensurePhaseWorktree,
  phaseBranch,
  phaseWorktreePath,
  planLeftovers,
  preparePhaseWorktree,
  removePhaseWorktree,
  removePlanLeftovers,
  SetupFailed,
} from '../../src/plans/worktrees.js';
import { openStore } from '../../src/store/index.js';
import type { PhaseRecord } from '../../src/store/plans.js';
import { makeGitRepo, makeTempDir } from '../mock-model/agent-harness.js';
import { cleanupStack, removeTestDir } from '../cleanup.js';
import { runCli } from '../e2e/harness.js';
import { waitFor } from '../wait-for.js';
import { seededRandom } from '../seeded-random.js';

const IDENTITY = ['-c', 'user.name=Baton Test', '-c', 'user.email=test@baton.invalid'];

interface World {
  repo: string;
  home: string;
  git: (...args: string[]) => string;
  gitIn: (dir: string, ...args: string[]) => string;
  head: () => string;
}

async function world(t: TestContext): Promise<World> {
  const undo = cleanupStack(t);
  const repo = await makeGitRepo();
  undo(() => removeTestDir(repo));
  const home = await makeTempDir('baton-home-');
  undo(() => removeTestDir(home));
  const gitIn = (dir: string, ...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const git = (...args: string[]) => gitIn(repo, ...args);
  return { repo, home, git, gitIn, head: () => git('rev-parse', 'HEAD').trim() };
}

function commitAll(w: World, dir: string, message: string): string {
  w.gitIn(dir, 'add', '-A');
  w.gitIn(dir, ...IDENTITY, 'commit', '-q', '-m', message);
  return w.gitIn(dir, 'rev-parse', 'HEAD').trim();
}

const MODULE_URL = new URL('../../src/plans/worktrees.js', import.meta.url).href;

/**
 * Runs an ES module script in a process group of its own and SIGKILLs the group (git children too)
 * `killAfterMs` after the script prints "ready" (null: never). Resolves with how long it ran after ready.
 */
function runKilled(script: string, killAfterMs: number | null): Promise<number> {
  return new Promise<number>((resolvePromise, reject) => {
    const proc = spawn(process.execPath, ['--input-type=module', '-e', script], { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
    let readyAt = 0;
    let timer: NodeJS.Timeout | undefined;
    proc.stdout.setEncoding('utf8').on('data', (text: string) => {
      if (text.includes('ready') && !readyAt) {
        readyAt = performance.now();
        if (killAfterMs !== null) timer = setTimeout(() => process.kill(-proc.pid!, 'SIGKILL'), killAfterMs);
      }
    });
    proc.on('error', reject);
    proc.on('close', () => {
      clearTimeout(timer);
      try {
        process.kill(-proc.pid!, 'SIGKILL'); // a git it started, if one is left
      } catch {
        // the group is gone
      }
      resolvePromise(readyAt ? performance.now() - readyAt : 0);
    });
  });
}

test('names: every phase id gives a valid branch under baton/<planRun>/ and a folder under <home>/worktrees/<planRun>/, none shared', () => {
  const ids = ['1', 'a b', 'a-b', 'a/b', 'a-b-', '../../escape', '.hidden', 'x.lock', 'a..b', 'ü', 'HEAD', '-rf', 'x'.repeat(200), 'x'.repeat(201), ''];
  const branches = new Set<string>();
  const folders = new Set<string>();
  for (const id of ids) {
    const branch = phaseBranch('r1', id);
    assert.match(branch, /^baton\/r1\/[A-Za-z0-9._-]+$/, id);
    // git's own rules for a branch name, not ours.
    execFileSync('git', ['check-ref-format', '--branch', branch]);
    const folder = phaseWorktreePath('/home/u/.baton', 'r1', id);
    assert.equal(relative('/home/u/.baton/worktrees/r1', folder).includes('/'), false, `${id} → ${folder}`);
    assert.ok(!relative('/home/u/.baton/worktrees/r1', folder).startsWith('..'), `${id} → ${folder}`);
    branches.add(branch);
    folders.add(folder);
  }
  assert.equal(branches.size, ids.length, [...branches].join('\n'));
  assert.equal(folders.size, ids.length);
  // A plain id stays readable; another plan run never shares a name.
  assert.equal(phaseBranch('r1', 'build-2.x'), 'baton/r1/build-2.x');
  assert.notEqual(phaseBranch('r1', 'a'), phaseBranch('r2', 'a'));
  assert.notEqual(phaseWorktreePath('/h', 'r1', 'a'), phaseWorktreePath('/h', 'r2', 'a'));
});

test('ensurePhaseWorktree makes the worktree on its branch outside the checkout, and finds it again after every kind of crash', async (t) => {
  const w = await world(t);
  const base = w.head();
  const o = { root: w.repo, home: w.home, planRunId: 'plan1', phaseId: 'phase one', base };
  const made = await ensurePhaseWorktree(o);
  assert.deepEqual(made, { path: phaseWorktreePath(w.home, 'plan1', 'phase one'), branch: phaseBranch('plan1', 'phase one'), base, prepared: false });
  assert.ok(relative(w.repo, made.path).startsWith('../'), 'the folder is outside the checkout');
  assert.equal(w.gitIn(made.path, 'rev-parse', 'HEAD').trim(), base);
  assert.equal(w.gitIn(made.path, 'symbolic-ref', '--short', 'HEAD').trim(), made.branch);
  assert.equal(w.git('symbolic-ref', '--short', 'HEAD').trim(), 'main', "the user's checkout stays on its branch");

  // Again: the same worktree, reused as it is (work in it survives).
  writeFileSync(join(made.path, 'work.txt'), 'in progress\n');
  assert.deepEqual(await ensurePhaseWorktree(o), made);
  assert.equal(readFileSync(join(made.path, 'work.txt'), 'utf8'), 'in progress\n');

  // The phase committed on its branch, then the plan branch moved on: the base stays where the phase left it.
  const work = commitAll(w, made.path, 'baton: phase one work');
  writeFileSync(join(w.repo, 'other.txt'), 'another phase\n');
  const tip = commitAll(w, w.repo, 'other phase');
  assert.deepEqual(await ensurePhaseWorktree({ ...o, base: tip }), made);

  // The folder deleted by hand: made again on the same branch, the committed work still there.
  rmSync(made.path, { recursive: true, force: true });
  const again = await ensurePhaseWorktree({ ...o, base: tip });
  assert.deepEqual(again, made);
  assert.equal(w.gitIn(again.path, 'rev-parse', 'HEAD').trim(), work);

  // A kill that left the branch only (worktree unregistered, folder gone).
  w.git('worktree', 'remove', '--force', made.path);
  assert.equal(existsSync(made.path), false);
  const fromBranch = await ensurePhaseWorktree({ ...o, base: tip });
  assert.deepEqual(fromBranch, made);
  assert.equal(w.gitIn(made.path, 'rev-parse', 'HEAD').trim(), work);

  // A stale folder git does not know (a killed `worktree add`): removed and made again.
  w.git('worktree', 'remove', '--force', made.path);
  mkdirSync(made.path, { recursive: true });
  writeFileSync(join(made.path, 'half-made'), '');
  const remade = await ensurePhaseWorktree({ ...o, base: tip });
  assert.deepEqual(remade, made);
  assert.equal(existsSync(join(made.path, 'half-made')), false);
  assert.equal(w.gitIn(made.path, 'rev-parse', 'HEAD').trim(), work);

  // Moved off its branch inside the worktree (an agent's own checkout): refused, the folder and its work kept.
  w.gitIn(made.path, 'checkout', '-q', '--detach');
  writeFileSync(join(made.path, 'unsaved.txt'), 'work\n');
  await assert.rejects(ensurePhaseWorktree({ ...o, base: tip }), /is on a detached HEAD, not on baton\/plan1\/phase-one-[0-9a-f]{8}; check out/);
  assert.equal(readFileSync(join(made.path, 'unsaved.txt'), 'utf8'), 'work\n');
  w.gitIn(made.path, 'checkout', '-q', made.branch);
  assert.deepEqual(await ensurePhaseWorktree({ ...o, base: tip }), made);

  // A fresh phase starts from the tip it is given.
  const second = await ensurePhaseWorktree({ ...o, phaseId: '2', base: tip });
  assert.equal(second.base, tip);
  assert.equal(w.gitIn(second.path, 'rev-parse', 'HEAD').trim(), tip);
  assert.equal(w.git('worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree ')).length, 3);
});

test('phases made and removed side by side: git is never asked for two worktree changes at once in a repository', async (t) => {
  const w = await world(t);
  const base = w.head();
  const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
  const made = await Promise.all(ids.map((phaseId) => ensurePhaseWorktree({ root: w.repo, home: w.home, planRunId: 'wide', phaseId, base })));
  for (const wt of made) assert.equal(w.gitIn(wt.path, 'rev-parse', 'HEAD').trim(), base);
  await Promise.all(made.slice(0, 3).map((wt) => removePhaseWorktree(w.repo, wt)));
  assert.deepEqual((await planLeftovers(w.repo, w.home, 'wide')).branches, made.slice(3).map((wt) => wt.branch));
});

test('SIGKILL at seeded random moments while a worktree is made: the next ensure gives a whole checkout on the phase branch', async (t) => {
  const w = await world(t);
  // Enough files that the checkout takes a while, so kills land inside it too.
  for (let dir = 0; dir < 20; dir++) {
    mkdirSync(join(w.repo, `d${dir}`));
    for (let file = 0; file < 25; file++) writeFileSync(join(w.repo, `d${dir}`, `f${file}.txt`), `${dir}/${file}\n`.repeat(50));
  }
  const base = commitAll(w, w.repo, 'many files');
  const o = { root: w.repo, home: w.home, planRunId: 'kill', phaseId: 'p', base };
  const child = `import { ensurePhaseWorktree } from ${JSON.stringify(MODULE_URL)};
process.stdout.write('ready\\n');
await ensurePhaseWorktree(${JSON.stringify(o)});
process.stdout.write('done\\n');`;
  const whole = async () => {
    const wt = await ensurePhaseWorktree(o);
    assert.equal(wt.path, phaseWorktreePath(w.home, 'kill', 'p'));
    assert.equal(w.gitIn(wt.path, 'rev-parse', 'HEAD').trim(), base);
    assert.equal(w.gitIn(wt.path, 'symbolic-ref', '--short', 'HEAD').trim(), wt.branch);
    assert.equal(w.gitIn(wt.path, 'status', '--porcelain').trim(), '', 'a whole checkout: nothing missing, nothing extra');
    return wt;
  };
  const fullMs = await runKilled(child, null);
  await removePhaseWorktree(w.repo, await whole());
  const random = seededRandom(12);
  for (let round = 0; round < 8; round++) {
    await runKilled(child, random() * fullMs);
    await clearStaleGitLocks(phaseWorktreePath(w.home, 'kill', 'p'));
    const wt = await whole();
    if (round % 2 === 0) await removePhaseWorktree(w.repo, wt); // half the rounds from nothing, half from a branch only
    else w.git('worktree', 'remove', '--force', wt.path);
  }
});

test('.worktreeinclude: the git-ignored files it names are copied in, a missing one is skipped, nothing outside the checkout', async (t) => {
  const w = await world(t);
  const outside = await makeTempDir('baton-outside-');
  t.after(() => removeTestDir(outside));
  writeFileSync(join(w.repo, '.gitignore'), '.env\n*.local\nconfig/secrets/\nbuild/\n');
  commitAll(w, w.repo, 'ignore');
  writeFileSync(join(w.repo, '.env'), 'TOKEN=1\n');
  writeFileSync(join(w.repo, 'db.local'), 'local db\n');
  mkdirSync(join(w.repo, 'config', 'secrets', 'deep'), { recursive: true });
  writeFileSync(join(w.repo, 'config', 'secrets', 'deep', 'key.pem'), 'key\n');
  mkdirSync(join(w.repo, 'build'));
  writeFileSync(join(w.repo, 'build', 'out.bin'), 'not listed\n');
  writeFileSync(join(w.repo, 'notes.txt'), "the user's untracked file\n");
  writeFileSync(join(w.repo, 'README.md'), '# changed by the user\n');
  symlinkSync('.env', join(w.repo, 'env.local'));
  writeFileSync(join(outside, 'secret'), 'outside\n');
  writeFileSync(
    join(w.repo, '.worktreeinclude'),
    ['# files a phase needs', '.env', '*.local', 'config/secrets/', 'missing.env', `../${relative(join(w.repo, '..'), outside)}/secret`, '/nope/', ''].join('\n'),
  );
  const wt = await ensurePhaseWorktree({ root: w.repo, home: w.home, planRunId: 'p', phaseId: '1', base: w.head() });
  const { copied, preexisting } = await preparePhaseWorktree({ root: w.repo, worktree: wt.path, env: { PATH: process.env.PATH } });
  assert.deepEqual(copied.sort(), ['.env', 'config/secrets/deep/key.pem', 'db.local', 'env.local']);
  assert.equal(readFileSync(join(wt.path, '.env'), 'utf8'), 'TOKEN=1\n');
  assert.equal(readFileSync(join(wt.path, 'config', 'secrets', 'deep', 'key.pem'), 'utf8'), 'key\n');
  assert.equal(execFileSync('readlink', [join(wt.path, 'env.local')], { encoding: 'utf8' }).trim(), '.env', 'a symlink stays a link');
  for (const absent of ['build/out.bin', 'notes.txt', 'missing.env', 'secret']) assert.equal(existsSync(join(wt.path, absent)), false, absent);
  assert.equal(existsSync(join(w.home, 'worktrees', 'p', 'secret')), false);
  assert.equal(readFileSync(join(wt.path, 'README.md'), 'utf8'), '# scratch repo\n', "the user's uncommitted edit is not carried over");
  // Copied files are ignored ones: nothing the agent could be taken to have written.
  assert.deepEqual(preexisting, {});

  // Without a .worktreeinclude nothing is copied.
  unlinkSync(join(w.repo, '.worktreeinclude'));
  const bare = await ensurePhaseWorktree({ root: w.repo, home: w.home, planRunId: 'p', phaseId: '2', base: w.head() });
  assert.deepEqual((await preparePhaseWorktree({ root: w.repo, worktree: bare.path, env: { PATH: process.env.PATH } })).copied, []);
});

test('setup runs in the worktree with the env given; its outputs are preexisting; a failure or a timeout is SetupFailed with its exit and output tail', async (t) => {
  const w = await world(t);
  const wt = await ensurePhaseWorktree({ root: w.repo, home: w.home, planRunId: 'p', phaseId: '1', base: w.head() });
  const env = { PATH: process.env.PATH, SETUP_WORD: 'ready' };
  const ok = await preparePhaseWorktree({ root: w.repo, worktree: wt.path, env, setup: 'printf "$SETUP_WORD" > prepared.txt && pwd > where.txt && echo more >> README.md' });
  assert.equal(readFileSync(join(wt.path, 'prepared.txt'), 'utf8'), 'ready');
  assert.equal(readFileSync(join(wt.path, 'where.txt'), 'utf8').trim(), execFileSync('pwd', { cwd: wt.path, encoding: 'utf8' }).trim());
  assert.deepEqual(Object.keys(ok.preexisting).sort(), ['README.md', 'prepared.txt', 'where.txt']);
  assert.equal(existsSync(join(w.repo, 'prepared.txt')), false, "setup never runs in the user's checkout");

  const failed = await preparePhaseWorktree({ root: w.repo, worktree: wt.path, env, setup: `echo ${'x'.repeat(5000)}; echo "npm ERR! missing dep" >&2; exit 3` }).then(
    () => assert.fail('setup exit 3 must throw'),
    (error: unknown) => error,
  );
  assert.ok(failed instanceof SetupFailed);
  assert.equal(failed.exitCode, 3);
  assert.match(failed.command, /exit 3$/);
  assert.ok(failed.output.length <= 2_000, `${failed.output.length}`);
  assert.match(failed.output, /npm ERR! missing dep\s*$/);
  assert.match(failed.message, /^setup `echo x+; echo "npm ERR! missing dep" >&2; exit 3` failed \(exit 3\): x+\nnpm ERR! missing dep$/);

  // A timeout kills setup's whole process group, a background child too.
  const pidFile = join(wt.path, 'child.pid');
  const slow = await preparePhaseWorktree({ root: w.repo, worktree: wt.path, env, setup: `sleep 60 & echo $! > ${pidFile}; wait`, timeoutMs: 3_000 }).then(
    () => assert.fail('a setup past its timeout must throw'),
    (error: unknown) => error,
  );
  assert.ok(slow instanceof SetupFailed);
  assert.equal(slow.exitCode, null);
  assert.match(slow.message, /^setup `sleep 60 .*` timed out after 3s/);
  const child = Number(readFileSync(pidFile, 'utf8').trim());
  await waitFor(() => !isAlive(child), { timeoutMs: 10_000, what: "setup's background child to die with its group" });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('commitPhaseWork commits exactly the agent\'s work on the phase branch: deletions in, bookkeeping and setup outputs out; a second call is a no-op', async (t) => {
  const w = await world(t);
  writeFileSync(join(w.repo, 'keep.txt'), 'keep\n');
  writeFileSync(join(w.repo, 'gone.txt'), 'to delete\n');
  const base = commitAll(w, w.repo, 'files');
  const wt = await ensurePhaseWorktree({ root: w.repo, home: w.home, planRunId: 'p', phaseId: 'A', base });
  const { preexisting } = await preparePhaseWorktree({
    root: w.repo,
    worktree: wt.path,
    env: { PATH: process.env.PATH },
    setup: 'mkdir -p gen && echo generated > gen/types.ts && echo cache > setup.log && echo staged > staged.txt && git add staged.txt',
  });
  assert.deepEqual(Object.keys(preexisting).sort(), ['gen/types.ts', 'setup.log', 'staged.txt']);

  // Nothing yet: HEAD as it is.
  assert.deepEqual(await commitPhaseWork({ worktree: wt.path, message: 'baton: phase A work', exclude: isAgentBookkeeping, preexisting }), { sha: base, paths: [] });

  // The agent's work.
  writeFileSync(join(wt.path, 'keep.txt'), 'kept, changed\n');
  unlinkSync(join(wt.path, 'gone.txt'));
  mkdirSync(join(wt.path, 'src', 'deep'), { recursive: true });
  writeFileSync(join(wt.path, 'src', 'deep', 'new file.ts'), 'export {};\n');
  mkdirSync(join(wt.path, '.omo'));
  writeFileSync(join(wt.path, '.omo', 'state.json'), '{}');
  writeFileSync(join(wt.path, 'setup.log'), 'the agent rewrote it\n');
  const first = await commitPhaseWork({ worktree: wt.path, message: 'baton: phase A work', exclude: isAgentBookkeeping, preexisting });
  assert.deepEqual(first.paths.sort(), ['gone.txt', 'keep.txt', 'setup.log', 'src/deep/new file.ts']);
  assert.equal(w.gitIn(wt.path, 'rev-parse', 'HEAD').trim(), first.sha);
  assert.equal(w.git('rev-parse', wt.branch).trim(), first.sha, 'the commit is on the phase branch');
  assert.equal(w.git('rev-parse', `${first.sha}^`).trim(), base);
  assert.equal(w.git('log', '-1', '--format=%B', first.sha).trim(), 'baton: phase A work', 'a work commit, no trailers');
  assert.deepEqual(w.git('diff-tree', '-r', '--name-status', '--no-renames', base, first.sha).trim().split('\n').sort(), ['A\tsetup.log', 'A\tsrc/deep/new file.ts', 'D\tgone.txt', 'M\tkeep.txt']);
  assert.equal(w.head(), base, "the user's branch did not move");

  // Called again (a driver resumed after committing): nothing new.
  assert.deepEqual(await commitPhaseWork({ worktree: wt.path, message: 'baton: phase A work', exclude: isAgentBookkeeping, preexisting }), { sha: first.sha, paths: [] });

  // A kill between moving the branch and updating the worktree's index: still no second commit.
  writeFileSync(join(wt.path, 'more.txt'), 'more\n');
  const second = await commitPhaseWork({ worktree: wt.path, message: 'baton: phase A work', exclude: isAgentBookkeeping, preexisting });
  assert.deepEqual(second.paths, ['more.txt']);
  w.gitIn(wt.path, 'read-tree', first.sha);
  assert.deepEqual(await commitPhaseWork({ worktree: wt.path, message: 'baton: phase A work', exclude: isAgentBookkeeping, preexisting }), { sha: second.sha, paths: [] });
  assert.equal(w.git('rev-list', '--count', `${base}..${wt.branch}`).trim(), '2');
});

test('SIGKILL at seeded random moments while the work is committed: called again, exactly one work commit holding all of it', async (t) => {
  const w = await world(t);
  const base = w.head();
  const wt = await ensurePhaseWorktree({ root: w.repo, home: w.home, planRunId: 'p', phaseId: 'k', base });
  const work = () => {
    for (let dir = 0; dir < 10; dir++) {
      mkdirSync(join(wt.path, `w${dir}`), { recursive: true });
      for (let file = 0; file < 20; file++) writeFileSync(join(wt.path, `w${dir}`, `f${file}.txt`), `work ${dir}/${file}\n`.repeat(40));
    }
    unlinkSync(join(wt.path, 'README.md'));
  };
  const options = { worktree: wt.path, message: 'baton: phase k work', preexisting: {} };
  const child = `import { commitPhaseWork } from ${JSON.stringify(MODULE_URL)};
process.stdout.write('ready\\n');
await commitPhaseWork({ ...${JSON.stringify(options)}, exclude: () => false });`;
  work();
  const fullMs = await runKilled(child, null);
  const random = seededRandom(7);
  for (let round = 0; round < 8; round++) {
    w.gitIn(wt.path, 'reset', '-q', '--hard', base);
    w.gitIn(wt.path, 'clean', '-q', '-fd');
    work();
    await runKilled(child, random() * fullMs);
    await clearStaleGitLocks(wt.path);
    const result = await commitPhaseWork({ ...options, exclude: () => false });
    assert.equal(w.git('rev-list', '--count', `${base}..${wt.branch}`).trim(), '1', `round ${round}: one work commit`);
    assert.equal(result.sha, w.git('rev-parse', wt.branch).trim());
    assert.equal(w.gitIn(wt.path, 'status', '--porcelain').trim(), '', `round ${round}: all of the work is in it`);
    assert.equal(w.git('diff-tree', '-r', '--name-only', '--no-renames', base, result.sha).trim().split('\n').length, 201);
  }
});

test('removePhaseWorktree and the plan run\'s leftovers: listed, removed, tolerant of what is already gone, never a user branch', async (t) => {
  const w = await world(t);
  const base = w.head();
  const a = await ensurePhaseWorktree({ root: w.repo, home: w.home, planRunId: 'run1', phaseId: 'a', base });
  const b = await ensurePhaseWorktree({ root: w.repo, home: w.home, planRunId: 'run1', phaseId: 'b', base });
  const other = await ensurePhaseWorktree({ root: w.repo, home: w.home, planRunId: 'run2', phaseId: 'a', base });
  w.git('branch', 'baton-user-branch');
  // A branch only (its worktree already removed), as a kill can leave.
  w.git('branch', phaseBranch('run1', 'c'), base);

  assert.deepEqual(await planLeftovers(w.repo, w.home, 'run1'), { worktrees: [a.path, b.path], branches: [a.branch, b.branch, phaseBranch('run1', 'c')].sort() });

  await removePhaseWorktree(w.repo, a);
  assert.equal(existsSync(a.path), false);
  assert.equal(w.git('branch', '--list', a.branch).trim(), '');
  await removePhaseWorktree(w.repo, a); // already gone
  // A corrupt record naming the user's branch takes nothing of it.
  await removePhaseWorktree(w.repo, { path: join(w.home, 'worktrees', 'run1', 'nothing'), branch: 'main' });
  assert.equal(w.git('branch', '--list', 'main').trim(), '* main');

  // Folder deleted by hand: the registration and branch still go.
  rmSync(b.path, { recursive: true, force: true });
  const removed = await removePlanLeftovers(w.repo, w.home, 'run1');
  assert.deepEqual(removed, { worktrees: [], branches: [b.branch, phaseBranch('run1', 'c')].sort() });
  assert.deepEqual(await planLeftovers(w.repo, w.home, 'run1'), { worktrees: [], branches: [] });
  assert.equal(existsSync(join(w.home, 'worktrees', 'run1')), false);
  assert.deepEqual(await removePlanLeftovers(w.repo, w.home, 'run1'), { worktrees: [], branches: [] });

  // Another plan run's and the user's branches are untouched.
  assert.deepEqual(await planLeftovers(w.repo, w.home, 'run2'), { worktrees: [other.path], branches: [other.branch] });
  assert.equal(w.git('branch', '--list', 'baton-user-branch').trim(), 'baton-user-branch');
  assert.equal(w.git('worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree ')).length, 2);
});

test('clearStaleGitLocks removes what a killed git left in the worktree, so git works there again', async (t) => {
  const w = await world(t);
  const wt = await ensurePhaseWorktree({ root: w.repo, home: w.home, planRunId: 'p', phaseId: '1', base: w.head() });
  assert.deepEqual(await clearStaleGitLocks(wt.path), []);
  const gitDir = w.gitIn(wt.path, 'rev-parse', '--absolute-git-dir').trim();
  const refLock = join(w.repo, '.git', 'refs', 'heads', `${wt.branch}.lock`);
  writeFileSync(join(gitDir, 'index.lock'), '');
  writeFileSync(join(gitDir, 'HEAD.lock'), '');
  writeFileSync(refLock, '');
  writeFileSync(join(wt.path, 'x.txt'), 'x\n');
  assert.throws(() => w.gitIn(wt.path, 'add', 'x.txt'), /index\.lock/);
  const removed = await clearStaleGitLocks(wt.path);
  assert.deepEqual(removed.sort(), [join(gitDir, 'HEAD.lock'), join(gitDir, 'index.lock'), refLock].sort());
  commitAll(w, wt.path, 'works again');
  // The user's own repository locks are not the phase's to remove.
  writeFileSync(join(w.repo, '.git', 'index.lock'), '');
  assert.deepEqual(await clearStaleGitLocks(wt.path), []);
  assert.equal(existsSync(join(w.repo, '.git', 'index.lock')), true);
  unlinkSync(join(w.repo, '.git', 'index.lock'));
  assert.deepEqual(await clearStaleGitLocks(join(w.home, 'no-such-worktree')), []);
});

test('baton plan clean: lists, then removes, what a stopped plan left; --dry-run only lists; refused while the plan runs; nothing left is fine', async (t) => {
  const w = await world(t);
  const env = { ...process.env, BATON_HOME: w.home, NO_COLOR: '1' };
  const base = w.head();
  const now = Date.now();
  const store = openStore(w.home);
  t.after(() => store.close());
  const insert = (id: string, state: 'stopped' | 'running', driverPid: number | null) => {
    const plan = { file: join(w.repo, 'plan.yaml'), project: 'demo', dir: w.repo, maxParallel: 2, phases: [{ id: 'a', title: 'A', prompt: 'Create a.ts' }, { id: 'b', title: 'B', prompt: 'Create b.ts' }] } as any;
    const phase = (phaseId: string, position: number): Omit<PhaseRecord, 'updatedAt'> => ({
      planRunId: id, phaseId, position, title: phaseId.toUpperCase(), state: 'blocked', reasons: [], attempts: [], resumes: 0, fixes: 0, currentRunId: null, baseTree: null, userDirty: null,
      verification: null, commitSha: null, committedPaths: null, worktree: null, merge: null, startedAt: now, endedAt: null,
    });
    store.plans.insertPlanRun(
      { id, planFile: plan.file, project: 'demo', dir: w.repo, repoRoot: w.repo, state, reasons: [], plan, driverPid, stopRequestedAt: null, hooks: {}, noLock: false, branch: 'main', maxParallel: 2, createdAt: now, endedAt: state === 'running' ? null : now },
      [phase('a', 0), phase('b', 1)],
    );
  };
  insert('stopped1', 'stopped', null);
  const a = await ensurePhaseWorktree({ root: w.repo, home: w.home, planRunId: 'stopped1', phaseId: 'a', base });
  const b = await ensurePhaseWorktree({ root: w.repo, home: w.home, planRunId: 'stopped1', phaseId: 'b', base });
  store.plans.updatePhase('stopped1', 'a', { worktree: a });
  store.plans.updatePhase('stopped1', 'b', { worktree: b });

  const dry = await runCli(['plan', 'clean', 'stopped1', '--dry-run', '--json'], env);
  assert.equal(dry.code, 0, dry.stderr);
  assert.deepEqual(dry.json, { id: 'stopped1', worktrees: [a.path, b.path], branches: [a.branch, b.branch], removed: false });
  assert.ok(existsSync(a.path) && existsSync(b.path));
  const dryText = await runCli(['plan', 'clean', 'stopped1', '--dry-run'], env);
  assert.equal(dryText.stdout, `would remove what plan run stopped1 left:\n  worktree ${a.path}\n  worktree ${b.path}\n  branch   ${a.branch}\n  branch   ${b.branch}\n`);

  // A running plan whose driver is alive: a process whose command line is a driver's for that plan run.
  const driver = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 120_000)', 'driver-main.js', 'running1'], { stdio: 'ignore' });
  t.after(() => driver.kill('SIGKILL'));
  insert('running1', 'running', driver.pid!);
  const a2 = await ensurePhaseWorktree({ root: w.repo, home: w.home, planRunId: 'running1', phaseId: 'a', base });
  const refused = await runCli(['plan', 'clean', '--json'], env);
  assert.equal(refused.code, 1, refused.stdout);
  assert.equal(refused.json.error.kind, 'conflict');
  assert.match(refused.json.error.message, new RegExp(`plan run running1 is running \\(driver pid ${driver.pid}\\)`));
  assert.ok(existsSync(a2.path), "a running plan's worktree stays");

  // The stopped one: removed after it is listed.
  const cleaned = await runCli(['plan', 'clean', 'stopped1'], env);
  assert.equal(cleaned.code, 0, cleaned.stderr);
  assert.equal(cleaned.stdout, `removing what plan run stopped1 left:\n  worktree ${a.path}\n  worktree ${b.path}\n  branch   ${a.branch}\n  branch   ${b.branch}\nremoved\n`);
  assert.equal(existsSync(a.path) || existsSync(b.path), false);
  assert.equal(w.git('branch', '--list', 'baton/stopped1/*').trim(), '');
  assert.deepEqual(store.plans.phases('stopped1').map((p) => p.worktree), [null, null], 'no phase points at a removed folder');
  const again = await runCli(['plan', 'clean', 'stopped1', '--json'], env);
  assert.deepEqual(again.json, { id: 'stopped1', worktrees: [], branches: [], removed: false });
  const text = await runCli(['plan', 'clean', 'stopped1'], env);
  assert.equal(text.stdout, 'nothing to clean for plan run stopped1\n');
  assert.ok(existsSync(a2.path), "another plan run's worktree stays");
});

test('a registration a killed `git worktree add` left with an empty commondir (git worktree list dies on it) is dropped, and the worktree made', async (t) => {
  const w = await world(t);
  const base = w.head();
  const o = { root: w.repo, home: w.home, planRunId: 'half', phaseId: 'p', base };
  const path = phaseWorktreePath(w.home, 'half', 'p');
  // What git leaves when killed as it writes `commondir`: the file made, its text not yet in.
  const registration = join(w.repo, '.git', 'worktrees', 'p');
  mkdirSync(registration, { recursive: true });
  writeFileSync(join(registration, 'locked'), 'initializing\n');
  writeFileSync(join(registration, 'gitdir'), join(path, '.git') + '\n');
  mkdirSync(path, { recursive: true });
  writeFileSync(join(path, '.git'), `gitdir: ${registration}\n`);
  writeFileSync(join(registration, 'commondir'), '');
  assert.throws(() => w.git('worktree', 'list', '--porcelain'), /commondir/);
  const made = await ensurePhaseWorktree(o);
  assert.equal(made.path, path);
  assert.equal(w.gitIn(made.path, 'rev-parse', 'HEAD').trim(), base);
  assert.match(w.git('worktree', 'list', '--porcelain'), new RegExp(`worktree ${path}\n`));
});
