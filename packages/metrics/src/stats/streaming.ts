/**
 * Mean and covariance of feature sets, accumulated in float64 over batches so 10⁴–10⁶ samples never
 * need to sit in memory at once. Each batch's Gram matrix `Xcᵀ Xc` is a tfjs float32 matmul of an explicitly
 * transposed copy (no transposed operand: the fast path on wasm) of rows centred on a float64 shift (the first batch's mean), so float32 never sees the large
 * common offset; batch Gram matrices are summed in float64.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeError } from '@nde/core';
import type { Matrix64 } from '@nde/linalg';

/** Mean and covariance of a sample (the Gaussian fitted by the Fréchet distance). */
export interface GaussianStats {
  /** Number of samples. */
  readonly count: number;
  /** Mean, length d (float64). */
  readonly mean: Float64Array;
  /** Unbiased covariance (divided by n − 1), d×d float64. */
  readonly covariance: Matrix64;
}

/** Options of {@link StreamingMoments}. */
export interface StreamingOptions {
  /** Rows per tfjs matmul inside one `update` (default 1024): bounds memory and float32 accumulation length. */
  chunkSize?: number;
}

/**
 * Streaming mean / covariance accumulator.
 *
 * @example
 * ```ts
 * const acc = new StreamingMoments(2048);
 * for (const batch of batches) await acc.update(batch);   // batch: tf.Tensor2D [b, 2048]
 * const { mean, covariance } = acc.result();
 * ```
 */
export class StreamingMoments {
  /** Feature dimension. */
  readonly dim: number;
  private n = 0;
  private shift: Float64Array | undefined;
  private readonly sum: Float64Array;
  private readonly gram: Float64Array;
  private readonly chunkSize: number;

  constructor(dim: number, { chunkSize = 1024 }: StreamingOptions = {}) {
    if (!(Number.isInteger(dim) && dim > 0))
      throw new InvalidArgumentError('dim', `must be a positive integer (got ${dim}).`, 'Pass the feature dimension.');
    if (!(Number.isInteger(chunkSize) && chunkSize > 0))
      throw new InvalidArgumentError('chunkSize', `must be a positive integer (got ${chunkSize}).`);
    this.dim = dim;
    this.chunkSize = chunkSize;
    this.sum = new Float64Array(dim);
    this.gram = new Float64Array(dim * dim);
  }

  /** Samples seen so far. */
  get count(): number {
    return this.n;
  }

  /**
   * Add a batch `[b, dim]` (tensor or nested array). The tensor is not disposed.
   * @throws {@link @nde/core!ShapeError} when the batch is not `[b, dim]`.
   */
  async update(batch: tf.Tensor2D | readonly (readonly number[])[]): Promise<this> {
    const x = batch instanceof tf.Tensor ? batch : tf.tensor2d(batch as number[][]);
    try {
      if (x.rank !== 2 || x.shape[1] !== this.dim) {
        throw new ShapeError('batch', `has shape [${x.shape}]; expected [b, ${this.dim}].`, 'Flatten features to one row per sample.');
      }
      const rows = x.shape[0];
      if (rows === 0) return this;
      const d = this.dim;
      if (!this.shift) {
        const mt = tf.tidy(() => x.mean(0));
        this.shift = Float64Array.from(await mt.data());
        mt.dispose();
      }
      const shiftT = tf.tensor1d(Float32Array.from(this.shift));
      try {
        for (let start = 0; start < rows; start += this.chunkSize) {
          const size = Math.min(this.chunkSize, rows - start);
          const [g, s] = tf.tidy(() => {
            const xc = x.slice([start, 0], [size, d]).sub(shiftT) as tf.Tensor2D;
            // An explicit transpose (a copy kernel) then a plain matMul: tfjs-wasm runs matMul with a transposed
            // operand in a scalar loop (~1 GFLOP/s) and a plain one through XNNPACK (~25 GFLOP/s).
            return [tf.matMul(tf.transpose(xc), xc), xc.sum(0)];
          });
          const [gd, sd] = await Promise.all([g.data(), s.data()]);
          g.dispose();
          s.dispose();
          for (let i = 0; i < gd.length; i++) this.gram[i] = (this.gram[i] as number) + (gd[i] as number);
          for (let i = 0; i < d; i++) this.sum[i] = (this.sum[i] as number) + (sd[i] as number);
          this.n += size;
        }
      } finally {
        shiftT.dispose();
      }
      return this;
    } finally {
      if (x !== batch) x.dispose();
    }
  }

  /**
   * The mean and unbiased covariance so far.
   * @throws {@link @nde/core!InvalidArgumentError} with fewer than 2 samples.
   */
  result(): GaussianStats {
    const n = this.n;
    const d = this.dim;
    if (n < 2)
      throw new InvalidArgumentError(
        'samples',
        `only ${n} sample(s) seen; a covariance needs at least 2.`,
        'Call update() with more rows.',
      );
    const shift = this.shift as Float64Array;
    const mc = this.sum.map((s) => s / n); // mean of shifted rows
    const cov = new Float64Array(d * d);
    for (let i = 0; i < d; i++) {
      for (let j = i; j < d; j++) {
        // symmetrise the float32 Gram while removing the (small) residual mean
        const g = 0.5 * ((this.gram[i * d + j] as number) + (this.gram[j * d + i] as number));
        const v = (g - n * (mc[i] as number) * (mc[j] as number)) / (n - 1);
        cov[i * d + j] = v;
        cov[j * d + i] = v;
      }
    }
    const mean = Float64Array.from(shift, (s, i) => s + (mc[i] as number));
    return { count: n, mean, covariance: { rows: d, cols: d, data: cov } };
  }
}

/**
 * Mean and covariance of one feature matrix `[n, d]` (a one-batch {@link StreamingMoments}).
 *
 * @param features - feature matrix `[n, d]` with n ≥ 2: a rank-2 tensor (not disposed) or nested arrays of rows.
 * @param options - `chunkSize`, the rows per tfjs matmul (default 1024); see {@link StreamingOptions}.
 *
 * @throws {@link @nde/core!ShapeError} when `features` is not rank 2.
 * @throws {@link @nde/core!InvalidArgumentError} with fewer than 2 rows.
 *
 * @example
 * ```ts
 * const stats = await gaussianStats(tf.randomNormal([1000, 64]));
 * stats.covariance.rows; // 64
 * ```
 */
export async function gaussianStats(
  features: tf.Tensor2D | readonly (readonly number[])[],
  options: StreamingOptions = {},
): Promise<GaussianStats> {
  const dim = features instanceof tf.Tensor ? features.shape[features.rank - 1] : (features[0]?.length ?? 0);
  if (features instanceof tf.Tensor && features.rank !== 2) {
    throw new ShapeError('features', `has shape [${features.shape}]; expected [n, d].`, 'Reshape to one row per sample.');
  }
  if (!dim) throw new ShapeError('features', 'is empty.', 'Pass at least 2 rows of features.');
  const acc = new StreamingMoments(dim as number, options);
  await acc.update(features);
  return acc.result();
}

/**
 * Plain float64 mean / covariance of nested arrays (reference implementation, O(n d²) in JS).
 *
 * @param rows - at least 2 samples, each a row of the same length `d` (only read).
 *
 * @example
 * ```ts
 * gaussianStats64([[0, 0], [2, 2]]).covariance.data; // Float64Array [2, 2, 2, 2]
 * ```
 */
export function gaussianStats64(rows: readonly (readonly number[])[]): GaussianStats {
  const n = rows.length;
  const d = rows[0]?.length ?? 0;
  if (n < 2) throw new InvalidArgumentError('rows', `has ${n} row(s); a covariance needs at least 2.`);
  const mean = new Float64Array(d);
  for (const r of rows) for (let j = 0; j < d; j++) mean[j] = (mean[j] as number) + (r[j] as number) / n;
  const cov = new Float64Array(d * d);
  for (const r of rows) {
    for (let i = 0; i < d; i++) {
      const a = (r[i] as number) - (mean[i] as number);
      for (let j = 0; j < d; j++) cov[i * d + j] = (cov[i * d + j] as number) + (a * ((r[j] as number) - (mean[j] as number))) / (n - 1);
    }
  }
  return { count: n, mean, covariance: { rows: d, cols: d, data: cov } };
}
