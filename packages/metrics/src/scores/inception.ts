/** Inception Score from classifier probabilities. */
import { InvalidArgumentError } from '@nde/core';
import { readProbabilities, type ProbabilitiesLike } from '../calibration/validate.js';

/** Options of {@link inceptionScore}. */
export interface InceptionScoreOptions {
  /** Split the samples into this many consecutive parts and report mean ± std (default 1; the paper uses 10). */
  splits?: number;
  /** Row-sum tolerance (default 1e-3). */
  tolerance?: number;
}

/** Inception Score over the splits. */
export interface InceptionScoreResult {
  /** Mean Inception Score over the splits (between 1 and the number of classes). */
  readonly mean: number;
  /** Standard deviation of the per-split scores (population form, dividing by `splits`; 0 for one split). */
  readonly std: number;
  /** Score of each split. */
  readonly scores: readonly number[];
}

/**
 * `IS = exp(E_x KL(p(y|x) ‖ p(y)))` from class probabilities `[n, C]` (e.g. the shipped classifier's softmax).
 * Perfectly confident predictions spread evenly over C classes give C; identical predictions give 1.
 *
 * @param probs - class probabilities `[n, C]` with rows summing to 1, as a tensor (read, not disposed) or nested arrays; a vector `[n]` is read as binary P(class 1).
 * @param options - `splits` (consecutive parts scored separately, an integer in 1..n, default 1) and `tolerance` of the row-sum check (default 1e-3); see {@link InceptionScoreOptions}.
 *
 * @throws {@link @nde/core!InvalidArgumentError} when rows do not sum to 1 or `splits` exceeds n.
 *
 * @example
 * ```ts
 * const probs = await features(await fashionClassifier(), prepareFashionFrames(samples)); // [n, 10]
 * const { mean, std } = await inceptionScore(probs, { splits: 10 });
 * ```
 */
export async function inceptionScore(probs: ProbabilitiesLike, options: InceptionScoreOptions = {}): Promise<InceptionScoreResult> {
  const { splits = 1, tolerance = 1e-3 } = options;
  const { n, classes, p } = await readProbabilities(probs, { tolerance });
  if (!(Number.isInteger(splits) && splits >= 1 && splits <= n)) {
    throw new InvalidArgumentError('splits', `is ${splits}; it must be an integer in 1..${n} (the number of samples).`);
  }
  const scores: number[] = [];
  for (let s = 0; s < splits; s++) {
    const lo = Math.floor((s * n) / splits);
    const hi = Math.floor(((s + 1) * n) / splits);
    const marginal = new Float64Array(classes);
    for (let i = lo; i < hi; i++)
      for (let c = 0; c < classes; c++) marginal[c] = (marginal[c] as number) + (p[i * classes + c] as number) / (hi - lo);
    let kl = 0;
    for (let i = lo; i < hi; i++) {
      for (let c = 0; c < classes; c++) {
        const q = p[i * classes + c] as number;
        if (q > 0) kl += q * (Math.log(q) - Math.log(marginal[c] as number));
      }
    }
    scores.push(Math.exp(kl / (hi - lo)));
  }
  const mean = scores.reduce((a, b) => a + b, 0) / splits;
  const std = Math.sqrt(scores.reduce((a, b) => a + (b - mean) ** 2, 0) / splits);
  return { mean, std, scores };
}
