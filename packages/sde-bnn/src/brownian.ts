/**
 * The Brownian motion of the joint state [h, w, kl]: only the weights are noisy, so the noise is
 * sampled for the weights alone (shape `[samples, D]`) and laid out over the joint state as
 * `[0 (hidden), W (weights), W (KL coordinates)]`. The KL coordinates reuse the weights' increments:
 * the sticking-the-landing estimator integrates u · dW along the same path.
 */
import * as tf from '@tensorflow/tfjs';
import { UnsupportedError } from '@nde/core';
import type { BrownianIncrement, BrownianMotion, LevyAreaKind } from '@nde/brownian';

/**
 * Pads a weight-space Brownian motion `[S, D]` to the joint state `[S, hiddenSize + 2D]`.
 *
 * @example
 * ```ts
 * const inner = new VirtualBrownianTree({ t0: 0, t1: 1, shape: [4, 10], key: key(0), tol: 1 / 64 });
 * const bm = new JointBrownian(inner, 32);    // shape [4, 52]
 * ```
 */
export class JointBrownian implements BrownianMotion {
  /** Start of the time interval (the inner motion's). */
  readonly t0: number;
  /** End of the time interval (the inner motion's). */
  readonly t1: number;
  readonly shape: readonly number[];
  readonly levyArea: LevyAreaKind;
  private readonly S: number;
  private readonly D: number;

  constructor(
    /** The weight-space Brownian motion, shape `[S, D]` (owned by the caller). */
    readonly inner: BrownianMotion,
    /** Width of the noiseless hidden part of the joint state (0 for the weight SDE alone). */
    readonly hiddenSize: number,
  ) {
    this.t0 = inner.t0;
    this.t1 = inner.t1;
    this.S = inner.shape[0] as number;
    this.D = inner.shape[1] as number;
    this.shape = [this.S, hiddenSize + 2 * this.D];
    this.levyArea = inner.levyArea === 'space-space' ? 'space-time' : inner.levyArea;
  }

  private pad(W: tf.Tensor): tf.Tensor {
    return tf.tidy(() => (this.hiddenSize > 0 ? tf.concat([tf.zeros([this.S, this.hiddenSize]), W, W], 1) : tf.concat([W, W], 1)));
  }

  evaluate(s: number, u: number): tf.Tensor {
    const W = this.inner.evaluate(s, u);
    const out = this.pad(W);
    W.dispose();
    return out;
  }

  evaluateLevy(s: number, u: number, kind: Exclude<LevyAreaKind, 'none'>): BrownianIncrement {
    if (kind === 'space-space') {
      throw new UnsupportedError(
        'levyArea',
        'the joint SDE-BNN state supports increments and space-time Lévy area only.',
        "Use 'euler', 'midpoint', 'heun' or 'reversible_heun'.",
      );
    }
    const inc = this.inner.evaluateLevy(s, u, 'space-time');
    const out: BrownianIncrement = { W: this.pad(inc.W), ...(inc.H ? { H: this.pad(inc.H) } : {}) };
    tf.dispose([inc.W, ...(inc.H ? [inc.H] : []), ...(inc.A ? [inc.A] : [])]);
    return out;
  }

  evaluateArray(s: number, u: number): Float32Array {
    const W = this.inner.evaluateArray(s, u);
    const N = this.shape[1] as number;
    const out = new Float32Array(this.S * N);
    for (let i = 0; i < this.S; i++) {
      const row = W.subarray(i * this.D, (i + 1) * this.D);
      out.set(row, i * N + this.hiddenSize);
      out.set(row, i * N + this.hiddenSize + this.D);
    }
    return out;
  }
}
