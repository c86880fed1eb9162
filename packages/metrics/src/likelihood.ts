/** Bits per dimension from log-likelihoods, with the dequantisation correction. */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '@nde/core';

/** Options of {@link bitsPerDim}. */
export interface BitsPerDimOptions {
  /** Number of dimensions D of one example (e.g. 28·28 = 784). */
  dims: number;
  /** Quantisation levels of the raw data (default 256 for 8-bit). */
  levels?: number;
  /**
   * Width of the data range the density was evaluated on (default 1: data scaled to [0, 1]; use 2 for
   * [−1, 1], and `levels` for raw integers with uniform noise, which needs no correction).
   */
  range?: number;
}

/**
 * Mean bits per dimension of (uniformly dequantised) discrete data from per-example continuous
 * log-likelihoods `log p(x)` in nats:
 * `bpd = (−log p(x) + D·log(levels / range)) / (D · ln 2)`. The `D·log(levels/range)` term converts the
 * density on the rescaled data to a density on the integer grid, where a dequantised log-likelihood is a
 * lower bound on the discrete log-probability.
 *
 * @param logLikelihood - per-example continuous log-likelihoods log p(x) in nats (finite): one number, an array, or a tensor (read, not disposed); their mean is used.
 * @param options - `dims`, the dimensions D of one example (required), `levels` of the raw data (default 256) and the `range` width the density was evaluated on (default 1); see {@link BitsPerDimOptions}.
 *
 * @throws {@link @nde/core!InvalidArgumentError} for non-positive `dims`, `levels`, `range` or non-finite log-likelihoods.
 *
 * @example
 * ```ts
 * // a uniform density on [0, 1]^784 has log p = 0 → exactly 8 bits per dimension
 * await bitsPerDim([0, 0], { dims: 784 }); // 8
 * ```
 */
export async function bitsPerDim(logLikelihood: number | readonly number[] | tf.Tensor, options: BitsPerDimOptions): Promise<number> {
  const { dims, levels = 256, range = 1 } = options;
  if (!(Number.isInteger(dims) && dims > 0))
    throw new InvalidArgumentError(
      'dims',
      `must be a positive integer (got ${dims}).`,
      'Pass the number of dimensions of one example, e.g. 28*28.',
    );
  if (!(levels > 0)) throw new InvalidArgumentError('levels', `must be > 0 (got ${levels}).`);
  if (!(range > 0)) throw new InvalidArgumentError('range', `must be > 0 (got ${range}).`);
  const ll =
    typeof logLikelihood === 'number'
      ? [logLikelihood]
      : logLikelihood instanceof tf.Tensor
        ? Array.from(await logLikelihood.data())
        : Array.from(logLikelihood);
  if (ll.length === 0) throw new InvalidArgumentError('logLikelihood', 'is empty.');
  let mean = 0;
  ll.forEach((v, i) => {
    if (!Number.isFinite(v))
      throw new InvalidArgumentError('logLikelihood', `entry ${i} is ${v}.`, 'Log-likelihoods must be finite (nats per example).');
    mean += v / ll.length;
  });
  return (-mean + dims * Math.log(levels / range)) / (dims * Math.LN2);
}
