import { processFacts } from './facts.js';

/** Whether the pid runs (a zombie waiting to be reaped does not); EPERM means it runs as someone else. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return processFacts().row(pid)?.zombie !== true;
}

/** Whether any process of the group still runs (zombies do not count). */
export function isGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return processFacts().table().some((p) => p.pgid === pgid && !p.zombie);
}

/** Live members of a process group. */
export function groupMembers(pgid: number): number[] {
  return processFacts().table().filter((p) => p.pgid === pgid && !p.zombie).map((p) => p.pid);
}
