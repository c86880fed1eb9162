/**
 * A small seeded host PRNG (mulberry32) for data generation, shuffling and subsets: same seed, same
 * numbers on every backend. (Brownian motion uses `@nde/brownian`'s counter-based Threefry instead.)
 */

/**
 * Uniform numbers in [0, 1) from a 32-bit seed.
 *
 * @param seed - an integer seed
 * @example
 * ```ts
 * const rand = mulberry32(0);
 * rand(); // 0.26642920868471265, every run
 * ```
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
