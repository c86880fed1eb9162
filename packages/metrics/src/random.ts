/** Seeded uniform random numbers (mulberry32), for reproducible subsets. */
import { mulberry32 } from '@nde/core';

/**
 * A seeded generator of uniform numbers in [0, 1).
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
