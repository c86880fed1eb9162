/**
 * torchcde's irregular time-series classification task: 2-D spirals that turn anticlockwise (label 1) or
 * clockwise (label 0), each starting at a random angle, observed at `length` times on [0, 4π] with a
 * fraction of the time points dropped per series (NaN in both channels: the series are irregular and of
 * different effective lengths).
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '@nde/core';
import { Rng } from '../training/seed.js';

/** Options of {@link spiralDirections}. */
export interface SpiralDirectionsOptions {
  /** Number of series (default 128). */
  readonly n?: number;
  /** Time points per series before dropping (default 100). */
  readonly length?: number;
  /** Fraction of the time points dropped per series, each series its own (default 0.3). */
  readonly dropFraction?: number;
  /** Standard deviation of the observation noise (default 0.05). */
  readonly noise?: number;
  /** Seed. */
  readonly seed?: number;
}

/**
 * The spirals data set: `values [n, length, 2]` (NaN where dropped), the times, and labels (1: anticlockwise).
 *
 * @param options - `n`, `length`, `dropFraction`, `noise`, `seed`.
 * @returns values (owned by the caller), times and labels (half of each class, shuffled).
 * @example
 * ```ts
 * const { values, ts, labels } = spiralDirections({ n: 128, seed: 0 });
 * ```
 */
export function spiralDirections(options: SpiralDirectionsOptions = {}): { values: tf.Tensor3D; ts: number[]; labels: number[] } {
  const n = options.n ?? 128;
  const T = options.length ?? 100;
  const drop = options.dropFraction ?? 0.3;
  const noise = options.noise ?? 0.05;
  if (!(Number.isInteger(n) && n > 0 && Number.isInteger(T) && T > 2))
    throw new InvalidArgumentError('n/length', `must be positive integers, length > 2 (got ${n}, ${T}).`);
  if (!(drop >= 0 && drop < 1)) throw new InvalidArgumentError('dropFraction', `must be in [0, 1) (got ${drop}).`);
  const rng = new Rng(options.seed ?? 0);
  const ts = Array.from({ length: T }, (_, i) => (4 * Math.PI * i) / (T - 1));
  const out = new Float32Array(n * T * 2);
  const labels: number[] = [];
  for (let s = 0; s < n; s++) {
    const label = s % 2;
    labels.push(label);
    const start = 2 * Math.PI * rng.uniform();
    const dir = label === 1 ? 1 : -1;
    const keep = ts.map(() => rng.uniform() >= drop);
    keep[0] = true; // every series has a first observation
    ts.forEach((t, i) => {
      const r = 1 / (1 + 0.5 * t);
      const k = (s * T + i) * 2;
      out[k] = keep[i] ? r * Math.cos(start + dir * t) + noise * rng.normal() : NaN;
      out[k + 1] = keep[i] ? r * Math.sin(start + dir * t) + noise * rng.normal() : NaN;
    });
  }
  return { values: tf.tensor3d(out, [n, T, 2]), ts, labels };
}
