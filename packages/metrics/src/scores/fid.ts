/**
 * Fréchet distance between Gaussians fitted to feature sets: FID on image features (e.g. Inception
 * pool3 or the shipped Fashion-MNIST classifier), FVD on per-video features (e.g. I3D).
 *
 * `d² = ‖μ₁ − μ₂‖² + tr Σ₁ + tr Σ₂ − 2 tr √(Σ₁Σ₂)`, with the cross term from {@link traceSqrtProduct}
 * (float64 Cholesky + symmetric eigenvalues: no non-symmetric sqrtm, no complex round-off).
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeError } from '@nde/core';
import { traceSqrtProduct, type TraceSqrtOptions } from '../linalg/sqrtm.js';
import { gaussianStats, type GaussianStats } from '../stats/streaming.js';

/** Options of {@link frechetDistance} and {@link fid}. */
export interface FrechetOptions extends TraceSqrtOptions {
  /**
   * Allow fewer samples than `dim + 1` (the covariance is then singular and the distance biased).
   * Default false: such inputs throw.
   */
  allowSingular?: boolean;
}

/** The distance and its parts. */
export interface FrechetResult {
  /** The Fréchet distance d² (clamped at 0). */
  readonly distance: number;
  /** `‖μ₁ − μ₂‖²`. */
  readonly meanTerm: number;
  /** `tr Σ₁ + tr Σ₂ − 2 tr √(Σ₁Σ₂)`. */
  readonly covarianceTerm: number;
}

function checkStats(argument: string, s: GaussianStats, allowSingular: boolean): void {
  const d = s.mean.length;
  if (s.covariance.rows !== d || s.covariance.cols !== d) {
    throw new ShapeError(
      `${argument}.covariance`,
      `is ${s.covariance.rows}×${s.covariance.cols} for a mean of length ${d}.`,
      'Pass stats from gaussianStats / StreamingMoments.',
    );
  }
  if (s.count < 2) throw new InvalidArgumentError(`${argument}.count`, `is ${s.count}; a covariance needs at least 2 samples.`);
  if (!allowSingular && s.count <= d) {
    throw new InvalidArgumentError(
      `${argument}`,
      `has ${s.count} samples for ${d}-dimensional features, so its covariance is singular (rank ≤ n − 1).`,
      `Use at least ${d + 1} samples (FID is usually computed on 10,000+), use lower-dimensional features, or pass allowSingular: true.`,
    );
  }
}

/**
 * Fréchet distance between two Gaussians given by their statistics.
 *
 * @param a - statistics of the first (e.g. real) set from {@link gaussianStats} or {@link StreamingMoments}: `count`, mean `[d]`, covariance `[d, d]`.
 * @param b - statistics of the second (e.g. generated) set, with the same dimension `d`.
 * @param options - `allowSingular` (accept `count ≤ d`, default false) and `products`, how the cross term is computed (see {@link TraceSqrtOptions}).
 *
 * @throws {@link @nde/core!ShapeError} when the dimensions differ.
 * @throws {@link @nde/core!InvalidArgumentError} for too few samples for the dimension (see `allowSingular`).
 *
 * @example
 * ```ts
 * const a = await gaussianStats(realFeatures);
 * const b = await gaussianStats(fakeFeatures);
 * const { distance } = await frechetDistance(a, b);
 * ```
 */
export async function frechetDistance(a: GaussianStats, b: GaussianStats, options: FrechetOptions = {}): Promise<FrechetResult> {
  const allow = options.allowSingular ?? false;
  checkStats('a', a, allow);
  checkStats('b', b, allow);
  const d = a.mean.length;
  if (b.mean.length !== d)
    throw new ShapeError(
      'b',
      `has dimension ${b.mean.length}, a has ${d}.`,
      'Compute both statistics with the same feature extractor and layer.',
    );
  let meanTerm = 0;
  for (let i = 0; i < d; i++) meanTerm += ((a.mean[i] as number) - (b.mean[i] as number)) ** 2;
  let traces = 0;
  for (let i = 0; i < d; i++) traces += (a.covariance.data[i * d + i] as number) + (b.covariance.data[i * d + i] as number);
  const { trace } = await traceSqrtProduct(a.covariance, b.covariance, options);
  const covarianceTerm = traces - 2 * trace;
  return { distance: Math.max(meanTerm + covarianceTerm, 0), meanTerm, covarianceTerm };
}

/**
 * Fréchet Inception Distance between two feature matrices `[n, d]` (features already extracted, e.g. with
 * {@link features}). Returns the distance.
 *
 * @param real - features of the real images, `[n, d]` float32 (not disposed).
 * @param fake - features of the generated images, `[m, d]` with the same `d` (not disposed).
 * @param options - `allowSingular` and `products`, as for {@link frechetDistance}.
 *
 * @example
 * ```ts
 * const model = await fashionClassifier();
 * const fr = await features(model, prepareFashionFrames(real), { layer: 'features' });
 * const ff = await features(model, prepareFashionFrames(fake), { layer: 'features' });
 * console.log(await fid(fr, ff));
 * ```
 */
export async function fid(real: tf.Tensor2D, fake: tf.Tensor2D, options: FrechetOptions = {}): Promise<number> {
  for (const [name, x] of [
    ['real', real],
    ['fake', fake],
  ] as const) {
    if (x.rank !== 2)
      throw new ShapeError(name, `has shape [${x.shape}]; expected features [n, d].`, 'Extract features first (features(model, images)).');
  }
  if (real.shape[1] !== fake.shape[1])
    throw new ShapeError(
      'fake',
      `has ${fake.shape[1]} features per row, real has ${real.shape[1]}.`,
      'Use the same feature extractor for both.',
    );
  return (await frechetDistance(await gaussianStats(real), await gaussianStats(fake), options)).distance;
}

/**
 * Fréchet Video Distance: the Fréchet distance on per-video features. Pass `[n, d]` per-video features
 * (e.g. I3D logits), or `[n, t, d]` per-frame features, which are averaged over time first.
 *
 * @param real - features of the real videos: per-video `[n, d]`, or per-frame `[n, t, d]` (averaged over `t`). Not disposed.
 * @param fake - features of the generated videos, `[m, d]` or `[m, t, d]`, with the same `d` as `real`. Not disposed.
 * @param options - `allowSingular` and `products`, as for {@link frechetDistance}.
 *
 * @throws {@link @nde/core!ShapeError} on other ranks or mismatched feature sizes.
 *
 * @example
 * ```ts
 * const perFrame = await features(model, prepareFashionFrames(videos.reshape([-1, 64, 64])), { layer: 'features' });
 * const fvd = await frechetVideoDistance(realPerFrame.reshape([nReal, t, 128]), perFrame.reshape([nFake, t, 128]));
 * ```
 */
export async function frechetVideoDistance(real: tf.Tensor, fake: tf.Tensor, options: FrechetOptions = {}): Promise<number> {
  const pool = (name: string, x: tf.Tensor): tf.Tensor2D => {
    if (x.rank === 2) return x.clone() as tf.Tensor2D;
    if (x.rank === 3) return tf.tidy(() => x.mean(1) as tf.Tensor2D);
    throw new ShapeError(
      name,
      `has shape [${x.shape}]; expected per-video [n, d] or per-frame [n, t, d] features.`,
      'Extract features per video or per frame first.',
    );
  };
  const r = pool('real', real);
  const f = pool('fake', fake);
  try {
    return await fid(r, f, options);
  } finally {
    r.dispose();
    f.dispose();
  }
}
