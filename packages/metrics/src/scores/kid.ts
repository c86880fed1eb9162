/** Kernel Inception Distance: unbiased MMD² with the cubic polynomial kernel `(x·y/d + 1)³`, over random subsets. */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '@nde/core';
import { checkPair } from '../kernels.js';
import { mmd } from '../mmd.js';
import { seededRandom } from '../random.js';

/** Options of {@link kernelInceptionDistance}. */
export interface KidOptions {
  /** Number of random subsets (default 10). */
  subsets?: number;
  /** Samples per subset from each set (default min(1000, n, m)). */
  subsetSize?: number;
  /** Degree of the polynomial kernel `(gamma · x·y + coef0)^degree` (default 3). */
  degree?: number;
  /** Scale of the inner product in the polynomial kernel (default `1/d`, `d` the feature dimension). */
  gamma?: number;
  /** Constant added in the polynomial kernel (default 1). */
  coef0?: number;
  /** Seed of the subset sampling (default 0). */
  seed?: number;
}

/** KID mean and standard deviation over subsets. */
export interface KidResult {
  /** Mean of the per-subset unbiased MMD² estimates: the KID (can be slightly negative for close sets). */
  readonly mean: number;
  /** Standard deviation of the per-subset estimates (population form, dividing by `subsets`). */
  readonly std: number;
  /** The per-subset unbiased MMD² values. */
  readonly values: readonly number[];
}

/**
 * Kernel Inception Distance between feature sets `[n, d]` and `[m, d]` (Bińkowski et al., 2018).
 *
 * @param real - features of the real samples, `[n, d]` with n ≥ 2 (not disposed).
 * @param fake - features of the generated samples, `[m, d]` with the same `d` (not disposed).
 * @param options - `subsets` (default 10), `subsetSize` (default min(1000, n, m)), the kernel's `degree`, `gamma` and `coef0` (default 3, 1/d, 1), and the sampling `seed` (default 0); see {@link KidOptions}.
 *
 * @throws {@link @nde/core!InvalidArgumentError} for `subsetSize` < 2 or larger than either set.
 *
 * @example
 * ```ts
 * const { mean, std } = await kernelInceptionDistance(realFeatures, fakeFeatures, { subsets: 50, subsetSize: 500 });
 * ```
 */
export async function kernelInceptionDistance(real: tf.Tensor2D, fake: tf.Tensor2D, options: KidOptions = {}): Promise<KidResult> {
  checkPair(real, fake, ['real', 'fake']);
  const n = real.shape[0];
  const m = fake.shape[0];
  const { subsets = 10, degree = 3, coef0 = 1, seed = 0 } = options;
  const size = options.subsetSize ?? Math.min(1000, n, m);
  if (!(Number.isInteger(size) && size >= 2 && size <= n && size <= m)) {
    throw new InvalidArgumentError(
      'subsetSize',
      `is ${size}; it must be an integer in 2..min(n, m) = ${Math.min(n, m)}.`,
      'Lower subsetSize or pass more samples.',
    );
  }
  if (!(Number.isInteger(subsets) && subsets >= 1))
    throw new InvalidArgumentError('subsets', `must be a positive integer (got ${subsets}).`);
  const rand = seededRandom(seed);
  const pick = (total: number): Int32Array => {
    const idx = Int32Array.from({ length: total }, (_, i) => i);
    for (let i = 0; i < size; i++) {
      const j = i + Math.floor(rand() * (total - i));
      const t = idx[i] as number;
      idx[i] = idx[j] as number;
      idx[j] = t;
    }
    return idx.slice(0, size);
  };
  const kernel = { kind: 'polynomial' as const, degree, gamma: options.gamma ?? 1 / (real.shape[1] as number), coef0 };
  const values: number[] = [];
  for (let s = 0; s < subsets; s++) {
    const [a, b] = tf.tidy(() => [
      tf.gather(real, tf.tensor1d(pick(n), 'int32')) as tf.Tensor2D,
      tf.gather(fake, tf.tensor1d(pick(m), 'int32')) as tf.Tensor2D,
    ]);
    try {
      values.push(await mmd(a, b, { kernel, unbiased: true }));
    } finally {
      a.dispose();
      b.dispose();
    }
  }
  const mean = values.reduce((x, y) => x + y, 0) / values.length;
  const std = Math.sqrt(values.reduce((x, y) => x + (y - mean) ** 2, 0) / values.length);
  return { mean, std, values };
}
