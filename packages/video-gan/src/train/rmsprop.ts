/**
 * RMSprop as in Chainer/PyTorch (TGAN's and WGAN's optimiser): `v ← α v + (1−α) g²`,
 * `θ ← θ − lr · g / (√v + ε)`. Its state is allocated up front, so a training step creates no
 * long-lived tensors.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, assertPositive } from '@nde/core';

/** Options of {@link RMSprop}. */
export interface RMSpropOptions {
  /** Learning rate (WGAN/TGAN: 5e-5). */
  learningRate: number;
  /** Decay of the squared-gradient average (default 0.99). */
  alpha?: number;
  /** Added to √v (default 1e-8). */
  epsilon?: number;
}

/**
 * RMSprop over an explicit list of variables.
 *
 * @example
 * ```ts
 * const opt = new RMSprop(disc.parameters(), { learningRate: 5e-5 });
 * const { grads, value } = tf.variableGrads(() => loss(), disc.parameters());
 * opt.apply(grads); value.dispose(); tf.dispose(grads);
 * ```
 */
export class RMSprop {
  /** Learning rate. */
  readonly learningRate: number;
  /** Decay of the squared-gradient average. */
  readonly alpha: number;
  /** Added to √v in the denominator. */
  readonly epsilon: number;
  private readonly vars: tf.Variable[];
  private readonly state: Map<string, tf.Variable>;

  constructor(variables: readonly tf.Variable[], { learningRate, alpha = 0.99, epsilon = 1e-8 }: RMSpropOptions) {
    assertPositive('learningRate', learningRate);
    if (!(alpha >= 0 && alpha < 1)) throw new InvalidArgumentError('alpha', `must be in [0, 1) (got ${alpha}).`);
    assertPositive('epsilon', epsilon);
    this.learningRate = learningRate;
    this.alpha = alpha;
    this.epsilon = epsilon;
    this.vars = [...variables];
    this.state = new Map(this.vars.map((v) => [v.name, tf.variable(tf.zerosLike(v), false)]));
  }

  /** Apply gradients keyed by variable name (as `tf.variableGrads` returns them); unknown names are ignored. */
  apply(grads: tf.NamedTensorMap): void {
    tf.tidy(() => {
      for (const v of this.vars) {
        const g = grads[v.name];
        const s = this.state.get(v.name);
        if (!g || !s) continue;
        const ms = tf.add(tf.mul(s, this.alpha), tf.mul(tf.square(g), 1 - this.alpha));
        s.assign(ms);
        v.assign(tf.sub(v, tf.div(tf.mul(g, this.learningRate), tf.add(tf.sqrt(ms), this.epsilon))));
      }
    });
  }

  /** Release the optimiser state (not the variables). */
  dispose(): void {
    this.state.forEach((s) => s.dispose());
    this.state.clear();
  }
}
