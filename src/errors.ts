/**
 * Errors a caller can act on. `kind` decides the CLI exit code: usage errors (bad input, nothing
 * started) exit 2, everything else 1.
 */
export type BatonErrorKind = 'usage' | 'not-found' | 'conflict' | 'runtime';

export class BatonError extends Error {
  constructor(
    readonly kind: BatonErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'BatonError';
  }
}

export const usageError = (message: string) => new BatonError('usage', message);
