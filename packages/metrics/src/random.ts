/** Seeded uniform random numbers (mulberry32), for reproducible subsets. */
import { mulberry32 } from '@nde/core';

/**
 * A seeded generator of uniform numbers in [0, 1).
 *
 * @param seed - seed, converted to an unsigned 32-bit integer (`seed >>> 0`); a seed that converts to 0 is replaced by the fixed constant 0x9e3779b9. Equal seeds give equal sequences.
 *
 * @example
 * ```ts
 * const rand = seededRandom(42);
 * rand(); // same sequence every run
 * ```
 */
export function seededRandom(seed: number): () => number {
  return mulberry32(seed >>> 0 || 0x9e3779b9);
}
