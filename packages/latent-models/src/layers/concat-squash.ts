/**
 * FFJORD's `ConcatSquashLinear`: a linear layer whose output is gated and shifted by the time,
 * `y = (x W + b) ⊙ σ(t w_g + b_g) + t w_b`. The building block of time-dependent CNF vector fields.
 */
import * as tf from '@tensorflow/tfjs';
import { BaseModule, InvalidArgumentError, ShapeError, collectParameters, Linear } from '@nde/core';

/** Options of {@link ConcatSquashLinear}. */
export interface ConcatSquashOptions {
  /** Input width: size of the last dimension of `x`. */
  inFeatures: number;
  /** Output width: size of the last dimension of the result. */
  outFeatures: number;
  /** Seed of the initialisation (layer i of an MLP uses seed + 3i, +1, +2). */
  seed?: number;
}

/**
 * `y = (x W + b) ⊙ sigmoid(t·w_gate + b_gate) + t·w_bias` (FFJORD `diffeq_layers.ConcatSquashLinear`).
 *
 * @example
 * ```ts
 * const layer = new ConcatSquashLinear({ inFeatures: 2, outFeatures: 64, seed: 0 });
 * const h = layer.apply(0.5, tf.randomNormal([128, 2]));   // [128, 64]
 * ```
 */
export class ConcatSquashLinear extends BaseModule {
  /** The main map `x W + b`, `inFeatures → outFeatures` (seed `seed`). */
  readonly layer: Linear;
  /** Time gate `t·w_gate + b_gate`, `1 → outFeatures`, passed through a sigmoid (seed `seed + 1`). */
  readonly hyperGate: Linear;
  /** Time shift `t·w_bias`, `1 → outFeatures`, without bias (seed `seed + 2`). */
  readonly hyperBias: Linear;
  /** Input width: size of the last dimension of `x`. */
  readonly inFeatures: number;
  /** Output width: size of the last dimension of the result. */
  readonly outFeatures: number;

  constructor(opts: ConcatSquashOptions) {
    super();
    const { inFeatures, outFeatures } = opts;
    if (!(Number.isInteger(inFeatures) && inFeatures > 0 && Number.isInteger(outFeatures) && outFeatures > 0)) {
      throw new InvalidArgumentError('inFeatures/outFeatures', `must be positive integers (got ${inFeatures}, ${outFeatures}).`);
    }
    const seed = opts.seed ?? 0;
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.layer = new Linear({ inFeatures, outFeatures, seed });
    this.hyperGate = new Linear({ inFeatures: 1, outFeatures, seed: seed + 1 });
    this.hyperBias = new Linear({ inFeatures: 1, outFeatures, bias: false, seed: seed + 2 });
  }

  /** Trainable variables by name: `layer.weight`, `layer.bias`, `hyperGate.weight`, `hyperGate.bias`, `hyperBias.weight`. */
  namedParameters(): Record<string, tf.Variable> {
    return collectParameters({ layer: this.layer, hyperGate: this.hyperGate, hyperBias: this.hyperBias });
  }

  /** Apply at time `t` (a JS number or a scalar tensor) to `x: [batch, inFeatures]`. Returns a new tensor owned by the caller. */
  apply(t: number | tf.Scalar, x: tf.Tensor): tf.Tensor {
    if (x.rank !== 2 || x.shape[1] !== this.inFeatures) {
      throw new ShapeError('x', `expected [batch, ${this.inFeatures}], got [${x.shape}].`);
    }
    return tf.tidy(() => {
      const tt = (typeof t === 'number' ? tf.scalar(t) : t).reshape([1, 1]);
      const gate = tf.sigmoid(this.hyperGate.apply(tt));
      const shift = this.hyperBias.apply(tt);
      return tf.add(tf.mul(this.layer.apply(x), gate), shift);
    });
  }

  /**
   * Value and forward-mode tangents: for `x: [batch, in]` and tangents `v: [batch, k, in]` returns
   * `y` and `J v: [batch, k, out]` (J = ∂y/∂x = W ⊙ gate). Differentiable to first order.
   */
  applyJvp(t: number | tf.Scalar, x: tf.Tensor, v: tf.Tensor): { y: tf.Tensor; jv: tf.Tensor } {
    if (v.rank !== 3 || v.shape[0] !== x.shape[0] || v.shape[2] !== this.inFeatures) {
      throw new ShapeError('v', `expected [${x.shape[0]}, k, ${this.inFeatures}], got [${v.shape}].`);
    }
    return tf.tidy(() => {
      const tt = (typeof t === 'number' ? tf.scalar(t) : t).reshape([1, 1]);
      const gate = tf.sigmoid(this.hyperGate.apply(tt));
      const shift = this.hyperBias.apply(tt);
      const y = tf.add(tf.mul(this.layer.apply(x), gate), shift);
      const [b, k] = v.shape as [number, number, number];
      const jv = tf.mul(
        tf.matMul(v.reshape([b * k, this.inFeatures]), this.layer.weight as tf.Tensor2D).reshape([b, k, this.outFeatures]),
        gate,
      );
      return { y, jv };
    });
  }
}
