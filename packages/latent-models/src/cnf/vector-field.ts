/**
 * Time-dependent MLP vector fields for CNFs: a stack of {@link ConcatSquashLinear} layers, as
 * FFJORD's `ODEnet` with `layer_type='concatsquash'`.
 */
import * as tf from '@tensorflow/tfjs';
import { BaseModule, InvalidArgumentError, collectParameters, type Module, assertPositiveInteger } from '@nde/core';
import { activationWithDerivative, type ActivationWithDerivative, type JvpActivation } from '../layers/activation-jvp.js';
import { ConcatSquashLinear } from '../layers/concat-squash.js';

/** A CNF vector field: parameters plus `f(t, z)` on `[batch, dim]`. */
export interface CNFVectorField extends Module {
  /** State dimension. */
  readonly dim: number;
  /** dz/dt at time t for `z: [batch, dim]`; returns a new tensor `[batch, dim]`. */
  call(t: number, z: tf.Tensor): tf.Tensor;
  /**
   * Optional forward-mode product: `f(t, z)` and `J v` for tangents `v: [batch, k, dim]`
   * (`jv: [batch, k, dim]`). Needed to *train* through the trace (see `divergence`).
   */
  jvp?(t: number, z: tf.Tensor, v: tf.Tensor): { f: tf.Tensor; jv: tf.Tensor };
}

/** Options of {@link ConcatSquashMLP}. */
export interface ConcatSquashMLPOptions {
  /** Data dimension (input and output width). */
  dim: number;
  /** Hidden widths, e.g. `[64, 64, 64]` (FFJORD toy default). */
  hidden: readonly number[];
  /** Hidden activation (default 'tanh'; FFJORD toys use tanh or softplus). */
  activation?: JvpActivation;
  /** Seed of the initialisation; layer `i` uses `seed + 3i` (default 0). */
  seed?: number;
}

/**
 * `f(t, z)`: ConcatSquash layers `dim → hidden… → dim` with an activation between them.
 *
 * @example
 * ```ts
 * const f = new ConcatSquashMLP({ dim: 2, hidden: [64, 64, 64], seed: 0 });
 * const dz = f.call(0.3, tf.randomNormal([100, 2]));   // [100, 2]
 * ```
 */
export class ConcatSquashMLP extends BaseModule implements CNFVectorField {
  readonly dim: number;
  /** The ConcatSquash layers, input first (`dim → hidden… → dim`; parameter names `layers.<i>.…`). */
  readonly layers: ConcatSquashLinear[];
  private readonly act: ActivationWithDerivative;

  constructor(opts: ConcatSquashMLPOptions) {
    super();
    assertPositiveInteger('dim', opts.dim);
    if (!opts.hidden.every((h) => Number.isInteger(h) && h > 0))
      throw new InvalidArgumentError('hidden', `must be positive integers (got [${opts.hidden}]).`);
    this.dim = opts.dim;
    this.act = activationWithDerivative(opts.activation ?? 'tanh');
    const sizes = [opts.dim, ...opts.hidden, opts.dim];
    const seed = opts.seed ?? 0;
    this.layers = sizes
      .slice(1)
      .map((out, i) => new ConcatSquashLinear({ inFeatures: sizes[i] as number, outFeatures: out, seed: seed + 3 * i }));
  }

  namedParameters(): Record<string, tf.Variable> {
    return collectParameters(Object.fromEntries(this.layers.map((l, i) => [`layers.${i}`, l])));
  }

  call(t: number, z: tf.Tensor): tf.Tensor {
    let h = z;
    this.layers.forEach((layer, i) => {
      const next = layer.apply(t, h);
      h = i < this.layers.length - 1 ? this.act(next).y : next;
    });
    return h;
  }

  jvp(t: number, z: tf.Tensor, v: tf.Tensor): { f: tf.Tensor; jv: tf.Tensor } {
    let h = z;
    let hv = v;
    this.layers.forEach((layer, i) => {
      const { y, jv } = layer.applyJvp(t, h, hv);
      if (i < this.layers.length - 1) {
        const a = this.act(y);
        h = a.y;
        hv = tf.mul(jv, tf.expandDims(a.dy, 1));
      } else {
        h = y;
        hv = jv;
      }
    });
    return { f: h, jv: hv };
  }
}

/**
 * A linear field `f(t, z) = z Aᵀ` (fixed, no parameters) — its flow is Gaussian in closed form,
 * which the tests use as ground truth.
 *
 * @example
 * ```ts
 * const f = new LinearVectorField(tf.tensor2d([[-0.5, 0.2], [0, 0.3]]));
 * ```
 */
export class LinearVectorField extends BaseModule implements CNFVectorField {
  readonly dim: number;
  private readonly aT: tf.Tensor2D;

  constructor(a: tf.Tensor2D) {
    super();
    if (a.rank !== 2 || a.shape[0] !== a.shape[1]) throw new InvalidArgumentError('a', `must be square (got [${a.shape}]).`);
    this.dim = a.shape[0];
    this.aT = a.transpose();
  }
  namedParameters(): Record<string, tf.Variable> {
    return {};
  }
  call(_t: number, z: tf.Tensor): tf.Tensor {
    return z.matMul(this.aT);
  }
  jvp(t: number, z: tf.Tensor, v: tf.Tensor): { f: tf.Tensor; jv: tf.Tensor } {
    const [b, k, d] = v.shape as [number, number, number];
    return {
      f: this.call(t, z),
      jv: v
        .reshape([b * k, d])
        .matMul(this.aT)
        .reshape([b, k, d]),
    };
  }
  override dispose(): void {
    this.aT.dispose();
  }
}
