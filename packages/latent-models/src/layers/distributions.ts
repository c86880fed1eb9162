/**
 * Log-likelihoods and KL divergences used by the ELBOs, all with optional masks. Every function
 * returns one value per sequence (summed over time and features, masked entries contributing 0).
 */
import * as tf from '@tensorflow/tfjs';
import { ShapeError } from '@nde/core';

const LOG_2PI = Math.log(2 * Math.PI);

function checkSame(argument: string, a: tf.Tensor, b: tf.Tensor): void {
  if (a.rank !== b.rank || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new ShapeError(argument, `has shape [${a.shape}], expected [${b.shape}] (the shape of x).`, 'Pass one value per observed entry.');
  }
}

function reduceToBatch(x: tf.Tensor): tf.Tensor1D {
  return (
    x.rank === 1
      ? x
      : tf.sum(
          x,
          Array.from({ length: x.rank - 1 }, (_, i) => i + 1),
        )
  ) as tf.Tensor1D;
}

/**
 * Σ log N(x | mean, std²) over every axis but the first, skipping entries where `mask` is 0.
 * `std` is a number or a tensor broadcastable to x.
 * @param x - Observations, `[batch, …]` (e.g. `[batch, T, d]`).
 * @param mean - Predicted means, the shape of `x`.
 * @param std - Standard deviation (positive): a number or a tensor broadcastable to `x`.
 * @param mask - Optional 0/1 tensor, the shape of `x`; entries with 0 contribute nothing (default: all observed).
 * @returns Log-likelihood in nats per sequence, `[batch]` (caller owns it).
 * @throws ShapeError when `mean` or `mask` does not have the shape of `x`.
 *
 * @example
 * ```ts
 * const ll = gaussianLogLikelihood(x, xhat, 0.01, mask); // [batch]
 * ```
 */
export function gaussianLogLikelihood(x: tf.Tensor, mean: tf.Tensor, std: number | tf.Tensor, mask?: tf.Tensor): tf.Tensor1D {
  checkSame('mean', mean, x);
  if (mask) checkSame('mask', mask, x);
  return tf.tidy(() => {
    const s = typeof std === 'number' ? tf.scalar(std) : std;
    const z = tf.div(tf.sub(x, mean), s);
    let lp = tf.sub(tf.mul(-0.5, tf.add(tf.square(z), LOG_2PI)), tf.log(s));
    if (mask) lp = tf.mul(lp, mask);
    return reduceToBatch(lp);
  });
}

/**
 * Σ log Laplace(x | loc, scale) over every axis but the first, skipping masked entries.
 * @param x - Observations, `[batch, …]`.
 * @param loc - Predicted locations (medians), the shape of `x`.
 * @param scale - Laplace scale b (positive): a number or a tensor broadcastable to `x`.
 * @param mask - Optional 0/1 tensor, the shape of `x`; entries with 0 contribute nothing (default: all observed).
 * @returns Log-likelihood in nats per sequence, `[batch]` (caller owns it).
 * @throws ShapeError when `loc` or `mask` does not have the shape of `x`.
 *
 * @example
 * ```ts
 * const ll = laplaceLogLikelihood(x, xhat, 0.05); // [batch]
 * ```
 */
export function laplaceLogLikelihood(x: tf.Tensor, loc: tf.Tensor, scale: number | tf.Tensor, mask?: tf.Tensor): tf.Tensor1D {
  checkSame('loc', loc, x);
  if (mask) checkSame('mask', mask, x);
  return tf.tidy(() => {
    const b = typeof scale === 'number' ? tf.scalar(scale) : scale;
    let lp = tf.neg(tf.add(tf.div(tf.abs(tf.sub(x, loc)), b), tf.log(tf.mul(2, b))));
    if (mask) lp = tf.mul(lp, mask);
    return reduceToBatch(lp);
  });
}

/**
 * KL(N(mean, std²) ‖ N(priorMean, priorStd²)) summed over the feature axis: `[batch, d]` → `[batch]`.
 * Default prior: standard normal.
 * @param mean - Posterior means, `[batch, d]`.
 * @param std - Posterior standard deviations (positive), `[batch, d]`.
 * @param priorMean - Prior mean: a number or a tensor broadcastable to `mean` (default 0).
 * @param priorStd - Prior standard deviation (positive): a number or a broadcastable tensor (default 1).
 * @returns KL in nats per row, `[batch]` (caller owns it).
 * @throws ShapeError when `std` does not have the shape of `mean`.
 *
 * @example
 * ```ts
 * const kl = gaussianKL(mu, tf.exp(logStd)); // [batch]
 * ```
 */
export function gaussianKL(
  mean: tf.Tensor,
  std: tf.Tensor,
  priorMean: number | tf.Tensor = 0,
  priorStd: number | tf.Tensor = 1,
): tf.Tensor1D {
  checkSame('std', std, mean);
  return tf.tidy(() => {
    const pm = typeof priorMean === 'number' ? tf.scalar(priorMean) : priorMean;
    const ps = typeof priorStd === 'number' ? tf.scalar(priorStd) : priorStd;
    // log(ps/s) + (s² + (m − pm)²)/(2 ps²) − ½
    const kl = tf.sub(
      tf.add(tf.sub(tf.log(ps), tf.log(std)), tf.div(tf.add(tf.square(std), tf.square(tf.sub(mean, pm))), tf.mul(2, tf.square(ps)))),
      0.5,
    );
    return reduceToBatch(kl);
  });
}

/** Observation noise model of a latent model's decoder. */
export type Likelihood = 'gaussian' | 'laplace';

/**
 * Masked log-likelihood of `x` under the named observation model centred at `pred`.
 * @param kind - `'gaussian'` ({@link gaussianLogLikelihood}) or `'laplace'` ({@link laplaceLogLikelihood}).
 * @param x - Observations, `[batch, …]`.
 * @param pred - Decoder output (mean or location), the shape of `x`.
 * @param scale - Gaussian std or Laplace scale: a number or a tensor broadcastable to `x`.
 * @param mask - Optional 0/1 observation mask, the shape of `x`.
 * @returns Log-likelihood in nats per sequence, `[batch]` (caller owns it).
 *
 * @example
 * ```ts
 * const ll = observationLogLikelihood('laplace', x, pred, 0.1, mask);
 * ```
 */
export function observationLogLikelihood(
  kind: Likelihood,
  x: tf.Tensor,
  pred: tf.Tensor,
  scale: number | tf.Tensor,
  mask?: tf.Tensor,
): tf.Tensor1D {
  return kind === 'laplace' ? laplaceLogLikelihood(x, pred, scale, mask) : gaussianLogLikelihood(x, pred, scale, mask);
}

/**
 * Mean squared error over observed entries only: Σ m (x − pred)² / Σ m (a scalar).
 * @param x - Targets, any shape.
 * @param pred - Predictions, the shape of `x`.
 * @param mask - Optional 0/1 tensor, the shape of `x` (default: plain mean over all entries; an all-zero mask gives 0).
 * @returns The scalar MSE (caller owns it).
 * @throws ShapeError when `pred` or `mask` does not have the shape of `x`.
 *
 * @example
 * ```ts
 * const mse = maskedMSE(x, pred, mask);
 * ```
 */
export function maskedMSE(x: tf.Tensor, pred: tf.Tensor, mask?: tf.Tensor): tf.Scalar {
  checkSame('pred', pred, x);
  if (mask) checkSame('mask', mask, x);
  return tf.tidy(() => {
    const se = tf.square(tf.sub(x, pred));
    if (!mask) return tf.mean(se) as tf.Scalar;
    return tf.div(tf.sum(tf.mul(se, mask)), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
  });
}
