import { randomBytes } from 'node:crypto';

const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

/** Short ids people can type: 8 characters without look-alikes (no l, o, 0, 1). */
export function newId(): string {
  let id = '';
  for (const byte of randomBytes(8)) id += ALPHABET[byte % ALPHABET.length];
  return id;
}
