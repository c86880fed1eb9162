/** Diagonal diffusion with one small network per latent coordinate (torchsde's latent SDE examples). */
import * as tf from '@tensorflow/tfjs';
import { BaseModule, ShapeError, assertPositiveInteger } from '@nde/core';

/** Options of {@link DiagonalDiffusion}. */
export interface DiagonalDiffusionOptions {
  /** Latent dimension d. */
  dim: number;
  /** Hidden width of each coordinate's network (default 16). */
  hidden?: number;
  /** Largest diffusion value: g = maxValue · sigmoid(·) (default 1). */
  maxValue?: number;
  /** Seed of the init; `w`, `b`, `v`, `c` use `seed` … `seed + 3` (default 0). */
  seed?: number;
}

/**
 * g_i(z) = maxValue · σ(Σ_k v_ik softplus(w_ik z_i + b_ik) + c_i): each g_i depends on z_i only (a
 * true diagonal diffusion, as the Milstein and Itô–Stratonovich conversions assume), all coordinates
 * evaluated in one batched op.
 *
 * @example
 * ```ts
 * const g = new DiagonalDiffusion({ dim: 4, hidden: 16, seed: 0 });
 * const gz = g.apply(tf.zeros([8, 4])); // [8, 4], entries in (0, 1)
 * ```
 */
export class DiagonalDiffusion extends BaseModule {
  /** Latent dimension d. */
  readonly dim: number;
  /** Upper bound of every g_i. */
  readonly maxValue: number;
  /** Input weights w_ik, `[dim, hidden]`. */
  readonly w: tf.Variable;
  /** Input biases b_ik, `[dim, hidden]`. */
  readonly b: tf.Variable;
  /** Output weights v_ik, `[dim, hidden]`. */
  readonly v: tf.Variable;
  /** Output biases c_i, `[dim]`. */
  readonly c: tf.Variable;

  constructor(options: DiagonalDiffusionOptions) {
    super();
    const { dim } = options;
    assertPositiveInteger('dim', dim);
    const h = options.hidden ?? 16;
    this.dim = dim;
    this.maxValue = options.maxValue ?? 1;
    const seed = options.seed ?? 0;
    const bv = 1 / Math.sqrt(h);
    this.w = tf.variable(tf.randomUniform([dim, h], -1, 1, 'float32', seed));
    this.b = tf.variable(tf.randomUniform([dim, h], -1, 1, 'float32', seed + 1));
    this.v = tf.variable(tf.randomUniform([dim, h], -bv, bv, 'float32', seed + 2));
    this.c = tf.variable(tf.randomUniform([dim], -bv, bv, 'float32', seed + 3));
  }

  /** `w`, `b`, `v`, `c`. */
  namedParameters(): Record<string, tf.Variable> {
    return { w: this.w, b: this.b, v: this.v, c: this.c };
  }

  /** `z` `[batch, dim]` → g `[batch, dim]`. */
  apply(z: tf.Tensor): tf.Tensor {
    if (z.shape[z.rank - 1] !== this.dim)
      throw new ShapeError('z', `last dimension is ${z.shape[z.rank - 1]}, the diffusion takes ${this.dim}.`);
    return tf.tidy(() => {
      const hid = tf.softplus(tf.add(tf.mul(tf.expandDims(z, -1), this.w), this.b));
      const pre = tf.add(tf.sum(tf.mul(hid, this.v), -1), this.c);
      return tf.mul(tf.sigmoid(pre), this.maxValue);
    });
  }
}
