import { dirname } from 'node:path';
import { BatonError } from '../errors.js';

/** What a reader can still do when the store cannot be written. */
export const READ_ONLY_COMMANDS = 'status, list, tail, wait, diff and export';

/** SQLite's result code on a better-sqlite3 error ("SQLITE_FULL"), or the errno code of a file system call ("ENOSPC"). */
function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

export function isStoreFault(error: unknown): boolean {
  return /^SQLITE_|^(ENOSPC|EROFS|EACCES|EPERM|EIO|EDQUOT)$/.test(codeOf(error));
}

export function readOnlyStoreError(path: string, why: string): BatonError {
  return new BatonError(
    'runtime',
    `the Baton store ${path} is read-only (${why}); read-only commands (${READ_ONLY_COMMANDS}) still work. ` +
      `To run, resume or kill, make ${dirname(path)} writable or point BATON_HOME at a writable directory`,
  );
}

/**
 * A store error as a message a person can act on: which file, what went wrong and the way out.
 * SQLite's own words ("unable to open database file", "disk I/O error") name neither.
 */
export function describeStoreFault(error: unknown, path: string): BatonError {
  if (error instanceof BatonError) return error;
  const code = codeOf(error);
  const cause = `${(error as Error)?.message ?? String(error)}${code ? `, ${code}` : ''}`;
  const dir = dirname(path);
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT' || (code === 'SQLITE_IOERR_WRITE' && /full|space/i.test(cause))) {
    return new BatonError('runtime', `the disk holding the Baton store ${path} is full (${cause}); free space on the file system of ${dir}, or point BATON_HOME at another disk, then try again`);
  }
  if (code.startsWith('SQLITE_READONLY') || code === 'EROFS') return readOnlyStoreError(path, cause);
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return new BatonError(
      'runtime',
      `the Baton store ${path} is damaged (${cause}). Move it aside (mv ${path} ${path}.damaged; also its -wal and -shm files) and Baton starts a fresh, empty store; ` +
        `the runs' logs under ${dir}/runs stay where they are`,
    );
  }
  if (code.startsWith('SQLITE_CANTOPEN') || code === 'EACCES' || code === 'EPERM') {
    return new BatonError('runtime', `cannot open the Baton store ${path} (${cause}); check that ${dir} exists, is a directory and is readable and writable by you, or point BATON_HOME elsewhere`);
  }
  if (code.startsWith('SQLITE_IOERR') || code === 'EIO') {
    return new BatonError('runtime', `disk I/O error on the Baton store ${path} (${cause}); check the disk and file system holding ${dir} (is it full, unmounted or failing?)`);
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new BatonError('runtime', `the Baton store ${path} stayed locked by another process for over 10 s (${cause}); try again, or look for a hung baton process`);
  }
  return new BatonError('runtime', `the Baton store ${path} failed: ${cause}`);
}
