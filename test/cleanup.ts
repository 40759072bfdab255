import { rm } from 'node:fs/promises';
import type { TestContext } from 'node:test';

/**
 * Undo steps for what a test sets up, registered right after each resource is created: if a later
 * step of the setup throws, what exists is still torn down (a mock server left listening keeps the
 * file alive until its time limit). They run last-first, as resources depend on earlier ones,
 * whatever order node:test gives its after hooks; one failing does not skip the others.
 */
export function cleanupStack(t: TestContext): (undo: () => unknown) => void {
  const steps: (() => unknown)[] = [];
  t.after(async () => {
    let first: unknown;
    for (const step of steps.reverse()) {
      try {
        await step();
      } catch (error) {
        first ??= error;
      }
    }
    if (first !== undefined) throw first;
  });
  return (undo) => void steps.push(undo);
}

/** Removes a test's temp dir, unless BATON_KEEP_TEST_DIRS asks to keep it for a look. */
export function removeTestDir(dir: string): Promise<void> {
  return process.env.BATON_KEEP_TEST_DIRS ? Promise.resolve() : rm(dir, { recursive: true, force: true });
}
