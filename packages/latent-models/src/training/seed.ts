/**
 * Deterministic randomness. tfjs has no global seed: every random op takes its own. {@link Rng} hands
 * out a reproducible stream of seeds (for `tf.randomNormal(shape, 0, 1, 'float32', seed)`) and of JS
 * numbers (for data generators), all derived from one integer.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, mulberry32 } from '@nde/core';

/**
 * A seeded random stream.
 *
 * @example
 * ```ts
 * const rng = new Rng(0);
 * const u = rng.uniform();             // JS number in [0, 1)
 * const eps = rng.normalTensor([8, 4]); // tf.Tensor, reproducible for seed 0
 * const child = rng.fork();            // an independent stream
 * ```
 */
export class Rng {
  private readonly next: () => number;
  private spare: number | undefined;

  /**
   * @param seed - The integer seed this stream is derived from (same seed, same stream).
   * @throws InvalidArgumentError when `seed` is not an integer.
   */
  constructor(readonly seed: number) {
    if (!Number.isInteger(seed)) throw new InvalidArgumentError('seed', `must be an integer (got ${seed}).`);
    this.next = mulberry32(seed * 2654435761 + 12345);
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.next();
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    const u = 1 - this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A fresh 31-bit seed for a tfjs random op. */
  nextSeed(): number {
    return Math.floor(this.next() * 2147483647);
  }

  /** An independent stream seeded from this one. */
  fork(): Rng {
    return new Rng(this.nextSeed());
  }

  /** A standard-normal tensor (caller owns it), reproducible for this stream. */
  normalTensor(shape: readonly number[]): tf.Tensor {
    return tf.randomNormal([...shape], 0, 1, 'float32', this.nextSeed());
  }

  /** A random permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): number[] {
    const p = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [p[i], p[j]] = [p[j] as number, p[i] as number];
    }
    return p;
  }
}
