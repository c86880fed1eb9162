/**
 * Precision / recall for distributions (Kynkäänniemi et al., 2019) and density / coverage
 * (Naeem et al., 2020), from k-nearest-neighbour balls in feature space.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '@nde/core';
import { checkPair, squaredDistances } from '../kernels.js';

/** Precision, recall, density and coverage. */
export interface PrdcResult {
  /** Fraction of fake samples inside some real sample's k-NN ball. */
  readonly precision: number;
  /** Fraction of real samples inside some fake sample's k-NN ball. */
  readonly recall: number;
  /** Mean number of real balls containing a fake sample, divided by k (≈ 1 when matched; can exceed 1). */
  readonly density: number;
  /** Fraction of real samples whose ball contains at least one fake sample. */
  readonly coverage: number;
}

async function knnRadii(x: tf.Tensor2D, k: number): Promise<tf.Tensor1D> {
  return tf.tidy(() => {
    const d2 = squaredDistances(x, x);
    // k+1 smallest (the sample itself is at distance 0)
    const { values } = tf.topk(d2.neg(), k + 1);
    return values.slice([0, k], [-1, 1]).reshape([-1]).neg() as tf.Tensor1D; // squared radius
  });
}

/**
 * k-NN precision, recall, density and coverage between real `[n, d]` and fake `[m, d]` features
 * (O(n·m) memory: subsample to a few thousand rows).
 *
 * @param real - features of the real samples, `[n, d]` (not disposed).
 * @param fake - features of the generated samples, `[m, d]` with the same `d` (not disposed).
 * @param options - `k`, the neighbour whose distance is each ball's radius (default 5; an integer in 1..min(n, m) − 1).
 *
 * @throws {@link @nde/core!InvalidArgumentError} when `k` is not in 1..min(n, m) − 1.
 *
 * @example
 * ```ts
 * const { precision, recall } = await precisionRecall(realFeatures, fakeFeatures, { k: 5 });
 * ```
 */
export async function precisionRecall(real: tf.Tensor2D, fake: tf.Tensor2D, options: { k?: number } = {}): Promise<PrdcResult> {
  const { k = 5 } = options;
  checkPair(real, fake, ['real', 'fake']);
  const n = real.shape[0];
  const m = fake.shape[0];
  if (!(Number.isInteger(k) && k >= 1 && k < Math.min(n, m))) {
    throw new InvalidArgumentError(
      'k',
      `is ${k}; it must be an integer in 1..${Math.min(n, m) - 1}.`,
      'Use k = 3..5 with a few thousand samples per set.',
    );
  }
  const rReal = await knnRadii(real, k);
  const rFake = await knnRadii(fake, k);
  const out = tf.tidy(() => {
    const d = squaredDistances(real, fake); // [n, m]
    const inReal = d.lessEqual(rReal.reshape([n, 1])).toFloat(); // fake j in ball of real i
    const inFake = d.lessEqual(rFake.reshape([1, m])).toFloat(); // real i in ball of fake j
    const precision = inReal.max(0).mean();
    const recall = inFake.max(1).mean();
    const density = inReal.sum().div(k * m);
    const nearest = d.min(1);
    const coverage = nearest.lessEqual(rReal).toFloat().mean();
    return tf.stack([precision, recall, density, coverage]);
  });
  const [precision, recall, density, coverage] = Array.from(await out.data()) as [number, number, number, number];
  [rReal, rFake, out].forEach((t) => t.dispose());
  return { precision, recall, density, coverage };
}
