/** Kernel matrices on tfjs (float32), shared by MMD, KID and energy distance. */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeError } from '@nde/core';

/** A kernel for {@link mmd}: Gaussian `exp(−‖x−y‖² / (2σ²))` or polynomial `(γ x·y + c)^degree`. */
export type KernelSpec =
  | { kind: 'gaussian'; /** σ; default: median pairwise distance of the pooled sample. */ bandwidth?: number }
  | { kind: 'polynomial'; /** default 3 */ degree?: number; /** default 1/d */ gamma?: number; /** default 1 */ coef0?: number };

/**
 * Pairwise squared Euclidean distances `[n, m]` (clamped at 0).
 *
 * @param x - first sample, `[n, d]` (not disposed).
 * @param y - second sample, `[m, d]` with the same `d` (not disposed). The `[n, m]` result is a new tensor owned by the caller.
 *
 * @example
 * ```ts
 * const d2 = squaredDistances(x, y);   // x: [n, d], y: [m, d]
 * ```
 */
export function squaredDistances(x: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const xx = x.square().sum(1, true);
    const yy = y.square().sum(1, true).transpose();
    return tf.relu(xx.add(yy).sub(tf.matMul(x, y, false, true).mul(2))) as tf.Tensor2D;
  });
}

/** Check two feature matrices `[n, d]`, `[m, d]`. @internal */
export function checkPair(x: tf.Tensor, y: tf.Tensor, names: [string, string] = ['x', 'y'], minRows = 2): void {
  for (const [name, t] of [
    [names[0], x],
    [names[1], y],
  ] as const) {
    if (t.rank !== 2) throw new ShapeError(name, `has shape [${t.shape}]; expected samples [n, d].`, 'Flatten each sample into one row.');
    if ((t.shape[0] as number) < minRows)
      throw new InvalidArgumentError(name, `has ${t.shape[0]} samples; need at least ${minRows}.`, 'Pass more samples.');
  }
  if (x.shape[1] !== y.shape[1])
    throw new ShapeError(
      names[1],
      `has ${y.shape[1]} features per row, ${names[0]} has ${x.shape[1]}.`,
      'Both samples must live in the same space.',
    );
}

/**
 * Kernel matrix `k(x_i, y_j)` for a resolved kernel (Gaussian with a fixed bandwidth, or polynomial).
 *
 * @param x - first sample, `[n, d]` (not disposed).
 * @param y - second sample, `[m, d]` with the same `d` (not disposed). The `[n, m]` result is a new tensor owned by the caller.
 * @param kernel - a resolved kernel: a Gaussian must have its `bandwidth` σ set (it is not defaulted here, unlike in {@link mmd}); a polynomial defaults to `degree` 3, `gamma` 1/d, `coef0` 1.
 *
 * @example
 * ```ts
 * const K = kernelMatrix(x, y, { kind: 'polynomial', degree: 3, gamma: 1 / 64, coef0: 1 });
 * ```
 */
export function kernelMatrix(x: tf.Tensor2D, y: tf.Tensor2D, kernel: KernelSpec): tf.Tensor2D {
  return tf.tidy(() => {
    if (kernel.kind === 'gaussian') {
      const s = kernel.bandwidth as number;
      return tf.exp(squaredDistances(x, y).div(-2 * s * s)) as tf.Tensor2D;
    }
    const d = x.shape[1];
    const { degree = 3, gamma = 1 / d, coef0 = 1 } = kernel;
    return tf.pow(tf.matMul(x, y, false, true).mul(gamma).add(coef0), degree) as tf.Tensor2D;
  });
}

/**
 * Median pairwise distance of the pooled sample (the usual Gaussian bandwidth heuristic), on at most 1000 rows.
 *
 * @param x - first sample, `[n, d]` (not disposed).
 * @param y - second sample, `[m, d]` (not disposed); pooled after `x`, and only the first 1000 pooled rows are used.
 *
 * @example
 * ```ts
 * const sigma = await medianBandwidth(x, y);
 * ```
 */
export async function medianBandwidth(x: tf.Tensor2D, y: tf.Tensor2D): Promise<number> {
  const d2 = tf.tidy(() => {
    const z = tf.concat([x, y], 0);
    const zz = z.shape[0] > 1000 ? z.slice(0, 1000) : z;
    return squaredDistances(zz as tf.Tensor2D, zz as tf.Tensor2D);
  });
  const v = await d2.data();
  const n = d2.shape[0];
  d2.dispose();
  const off: number[] = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off.push(v[i * n + j] as number);
  off.sort((a, b) => a - b);
  const med = Math.sqrt(off[Math.floor(off.length / 2)] ?? 1);
  return med > 0 ? med : 1;
}
