/**
 * The approximate posterior over weight paths: dw = f_φ(t, w) dt + σ dW, with f_φ a small MLP of
 * (t, w) (as in the paper: conditioned on nothing else) and the prior's diffusion σ.
 */
import * as tf from '@tensorflow/tfjs';
import { BaseModule, Linear, ShapeError, collectParameters, assertPositiveInteger } from '@nde/core';
import { stopGradient } from '@nde/nn';

/** Options of {@link PosteriorDrift}. */
export interface PosteriorDriftOptions {
  /** Number of weights D. */
  weightDim: number;
  /** Hidden width of the drift network (default 32). */
  hidden?: number;
  /** Seed of the initialisation. */
  seed?: number;
  /** Scale of the output layer's initial weights (default 0: the posterior starts as a driftless diffusion). */
  outputScale?: number;
}

/**
 * Posterior drift f_φ(t, w) = tanh([w, t] A + a) B + b, one hidden layer. Also gives the diagonal of
 * its Jacobian ∂f_j/∂w_j in closed form (used for the Itô–Stratonovich correction of the STL term).
 *
 * @example
 * ```ts
 * const post = new PosteriorDrift({ weightDim: 100, hidden: 32, seed: 0 });
 * const f = post.apply(0.5, tf.zeros([4, 100]));   // [4, 100]
 * ```
 */
export class PosteriorDrift extends BaseModule {
  /** Number of weights D: `w` is `[samples, D]`. */
  readonly weightDim: number;
  /** Hidden width of the drift network (default 32). */
  readonly hidden: number;
  /** First layer `[w, t]` → hidden, `[D + 1, hidden]` (the `A`, `a` of f_φ). */
  readonly l1: Linear;
  /** Output layer hidden → D, `[hidden, D]` (the `B`, `b` of f_φ): weights start uniform(−1, 1)·outputScale/√hidden, bias 0. */
  readonly l2: Linear;

  constructor(options: PosteriorDriftOptions) {
    super();
    const { weightDim } = options;
    assertPositiveInteger('weightDim', weightDim);
    this.weightDim = weightDim;
    this.hidden = options.hidden ?? 32;
    const seed = options.seed ?? 0;
    this.l1 = new Linear({ inFeatures: weightDim + 1, outFeatures: this.hidden, seed });
    const scale = options.outputScale ?? 0;
    const w2 = tf.tidy(
      () => tf.mul(tf.randomUniform([this.hidden, weightDim], -1, 1, 'float32', seed + 1), scale / Math.sqrt(this.hidden)) as tf.Tensor2D,
    );
    const b2 = tf.zeros([weightDim]) as tf.Tensor1D;
    this.l2 = new Linear({ inFeatures: this.hidden, outFeatures: weightDim, weight: w2, biasInit: b2 });
    w2.dispose();
    b2.dispose();
  }

  /** Parameters of both layers: `l1.weight`, `l1.bias`, `l2.weight`, `l2.bias`. */
  namedParameters(): Record<string, tf.Variable> {
    return collectParameters({ l1: this.l1, l2: this.l2 });
  }

  private check(w: tf.Tensor): void {
    if (w.rank !== 2 || w.shape[1] !== this.weightDim)
      throw new ShapeError('w', `must be [samples, ${this.weightDim}] (got [${w.shape}]).`);
  }

  private parts(detach: boolean): { A: tf.Tensor; a: tf.Tensor; B: tf.Tensor; b: tf.Tensor } {
    const ps = [this.l1.weight, this.l1.bias as tf.Variable, this.l2.weight, this.l2.bias as tf.Variable];
    const [A, a, B, b] = detach ? ps.map((p) => stopGradient(p)) : ps;
    return { A: A as tf.Tensor, a: a as tf.Tensor, B: B as tf.Tensor, b: b as tf.Tensor };
  }

  private pre(t: number, w: tf.Tensor, A: tf.Tensor, a: tf.Tensor): tf.Tensor {
    const x = tf.concat([w, tf.fill([w.shape[0] as number, 1], t)], 1);
    return tf.add(tf.matMul(x as tf.Tensor2D, A as tf.Tensor2D), a);
  }

  /**
   * f_φ(t, w) for `w: [samples, D]`; with `detach` the parameters are behind a stop-gradient (the
   * value is the same; gradients reach only `w`). New tensor.
   * @example
   * ```ts
   * const f = post.apply(0, w, true);
   * ```
   */
  apply(t: number, w: tf.Tensor, detach = false): tf.Tensor {
    this.check(w);
    return tf.tidy(() => {
      const { A, a, B, b } = this.parts(detach);
      return tf.add(tf.matMul(tf.tanh(this.pre(t, w, A, a)) as tf.Tensor2D, B as tf.Tensor2D), b);
    });
  }

  /**
   * Diagonal of the Jacobian, ∂f_j/∂w_j = Σ_k A_jk (1 − tanh²(z_k)) B_kj, shape `[samples, D]`.
   * @example
   * ```ts
   * const d = post.diagJacobian(0, w);
   * ```
   */
  diagJacobian(t: number, w: tf.Tensor, detach = false): tf.Tensor {
    this.check(w);
    return tf.tidy(() => {
      const { A, a, B } = this.parts(detach);
      const th = tf.tanh(this.pre(t, w, A, a));
      const dAct = tf.sub(1, tf.square(th)); // [S, H]
      const Aw = tf.slice(A, [0, 0], [this.weightDim, this.hidden]); // [D, H]
      const AB = tf.mul(tf.transpose(Aw), B); // [H, D]
      return tf.matMul(dAct as tf.Tensor2D, AB as tf.Tensor2D);
    });
  }
}
