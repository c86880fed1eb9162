/** Maximum mean discrepancy (biased / unbiased) with Gaussian or polynomial kernels, and energy distance. */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '@nde/core';
import { checkPair, kernelMatrix, medianBandwidth, type KernelSpec } from './kernels.js';

/** Options of {@link mmd}. */
export interface MmdOptions {
  /** Kernel (default Gaussian with the median-distance bandwidth). */
  kernel?: KernelSpec;
  /** Unbiased U-statistic (default true; may be negative) or biased V-statistic (≥ 0). */
  unbiased?: boolean;
}

async function sumOf(t: tf.Tensor): Promise<number> {
  const s = tf.tidy(() => t.sum());
  const v = (await s.data())[0] as number;
  s.dispose();
  return v;
}

/**
 * Squared MMD between samples `x: [n, d]` and `y: [m, d]`.
 * Unbiased: `Σ_{i≠j} k(x_i,x_j)/(n(n−1)) + Σ_{i≠j} k(y_i,y_j)/(m(m−1)) − 2 Σ k(x_i,y_j)/(nm)`.
 *
 * @param x - first sample, `[n, d]` with n ≥ 2 (not disposed).
 * @param y - second sample, `[m, d]` with m ≥ 2 and the same `d` (not disposed).
 * @param options - `kernel` (default Gaussian with the {@link medianBandwidth} of the pooled sample) and `unbiased` (U-statistic, default true; false gives the biased V-statistic); see {@link MmdOptions}.
 *
 * @throws {@link @nde/core!ShapeError} / {@link @nde/core!InvalidArgumentError} for mismatched shapes or fewer than 2 samples.
 *
 * @example
 * ```ts
 * const m2 = await mmd(x, y, { kernel: { kind: 'gaussian', bandwidth: 1 }, unbiased: true });
 * ```
 */
export async function mmd(x: tf.Tensor2D, y: tf.Tensor2D, options: MmdOptions = {}): Promise<number> {
  const { kernel = { kind: 'gaussian' }, unbiased = true } = options;
  checkPair(x, y);
  let k = kernel;
  if (k.kind === 'gaussian') {
    const bandwidth = k.bandwidth ?? (await medianBandwidth(x, y));
    if (!(bandwidth > 0)) throw new InvalidArgumentError('kernel.bandwidth', `must be > 0 (got ${bandwidth}).`);
    k = { kind: 'gaussian', bandwidth };
  } else if (k.kind !== 'polynomial') {
    throw new InvalidArgumentError('kernel.kind', `is '${(k as { kind: string }).kind}'.`, "Use 'gaussian' or 'polynomial'.");
  }
  const n = x.shape[0];
  const m = y.shape[0];
  const kxx = kernelMatrix(x, x, k);
  const kyy = kernelMatrix(y, y, k);
  const kxy = kernelMatrix(x, y, k);
  try {
    const [sxx, syy, sxy] = await Promise.all([sumOf(kxx), sumOf(kyy), sumOf(kxy)]);
    if (!unbiased) return sxx / (n * n) + syy / (m * m) - (2 * sxy) / (n * m);
    const dx = tf.tidy(() => kxx.mul(tf.eye(n)));
    const dy = tf.tidy(() => kyy.mul(tf.eye(m)));
    const [txx, tyy] = await Promise.all([sumOf(dx), sumOf(dy)]);
    dx.dispose();
    dy.dispose();
    return (sxx - txx) / (n * (n - 1)) + (syy - tyy) / (m * (m - 1)) - (2 * sxy) / (n * m);
  } finally {
    kxx.dispose();
    kyy.dispose();
    kxy.dispose();
  }
}

/**
 * Energy distance `2E‖X−Y‖ − E‖X−X'‖ − E‖Y−Y'‖` (V-statistic by default, ≥ 0; `unbiased` excludes i = j
 * from the within-sample means).
 *
 * @param x - first sample, `[n, d]` with n ≥ 2 (not disposed).
 * @param y - second sample, `[m, d]` with m ≥ 2 and the same `d` (not disposed).
 * @param options - `unbiased` (default false): exclude the i = j terms from the within-sample means.
 *
 * @example
 * ```ts
 * const e = await energyDistance(x, y);
 * ```
 */
export async function energyDistance(x: tf.Tensor2D, y: tf.Tensor2D, options: { unbiased?: boolean } = {}): Promise<number> {
  const { unbiased = false } = options;
  checkPair(x, y);
  const n = x.shape[0];
  const m = y.shape[0];
  const dist = (a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor =>
    tf.tidy(() => {
      const aa = a.square().sum(1, true);
      const bb = b.square().sum(1, true).transpose();
      return tf.sqrt(tf.relu(aa.add(bb).sub(tf.matMul(a, b, false, true).mul(2))));
    });
  // Centre on the pooled mean so the float32 distance formula loses less to cancellation.
  const [xc, yc] = tf.tidy(() => {
    const mu = tf.concat([x, y], 0).mean(0);
    return [x.sub(mu) as tf.Tensor2D, y.sub(mu) as tf.Tensor2D];
  });
  const dxy = dist(xc, yc);
  const dxx = dist(xc, xc);
  const dyy = dist(yc, yc);
  try {
    const [sxy, sxx, syy] = await Promise.all([sumOf(dxy), sumOf(dxx), sumOf(dyy)]);
    const wx = unbiased ? n * (n - 1) : n * n;
    const wy = unbiased ? m * (m - 1) : m * m;
    return (2 * sxy) / (n * m) - sxx / wx - syy / wy;
  } finally {
    [xc, yc, dxy, dxx, dyy].forEach((t) => t.dispose());
  }
}
