/** A 1-D regression toy with a gap: the predictive uncertainty should grow away from the data. */
import { InvalidArgumentError } from '@nde/core';
import { key as makeKey, normalArray, uniformArray } from '@nde/brownian';

/** Options of {@link regressionToy}. */
export interface RegressionToyOptions {
  /** Number of points (default 80). */
  n?: number;
  /** Observation noise std (default 0.05). */
  noise?: number;
  /** Seed of the inputs and the noise (default 0). */
  seed?: number;
}

/**
 * y = sin(3x) + 0.3x + ε at x drawn uniformly from [−1.5, −0.5] ∪ [0.5, 1.5] (no data in the middle
 * or beyond ±1.5). Host arrays.
 *
 * @param options - `n`, the number of points (an integer > 1, default 80; alternately left and right of the gap), `noise`, the observation std (default 0.05), and `seed` (default 0); see {@link RegressionToyOptions}.
 *
 * @example
 * ```ts
 * const { x, y } = regressionToy({ n: 80, seed: 0 });
 * ```
 */
export function regressionToy(options: RegressionToyOptions = {}): { x: Float32Array; y: Float32Array; fn: (x: number) => number } {
  const n = options.n ?? 80;
  if (!(Number.isInteger(n) && n > 1)) throw new InvalidArgumentError('n', `must be an integer > 1 (got ${n}).`);
  const noise = options.noise ?? 0.05;
  const k = makeKey(options.seed ?? 0);
  const u = uniformArray(k, n);
  const e = normalArray([k[1], k[0] ^ 0x5bd1e995], n);
  const fn = (x: number): number => Math.sin(3 * x) + 0.3 * x;
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const side = i % 2 === 0 ? -1 : 1;
    x[i] = side * (0.5 + (u[i] as number));
    y[i] = fn(x[i] as number) + noise * (e[i] as number);
  }
  return { x, y, fn };
}
