/**
 * Deprecated: `@nde/nn`'s `Optimizer` with `kind: 'rmsprop'` is the same update (Chainer/PyTorch form,
 * `v ← α v + (1−α) g²`, `θ ← θ − lr · g / (√v + ε)`) with checkpointable state. This wrapper keeps the
 * former constructor and `apply` for one release.
 */
import type * as tf from '@tensorflow/tfjs';
import { Optimizer, type RMSpropOptions } from '@nde/nn';

export type { RMSpropOptions } from '@nde/nn';

/**
 * RMSprop over an explicit list of variables (deprecated: use `new Optimizer({ kind: 'rmsprop', … })`
 * from `@nde/nn` and `applyGradients(grads, variables)`).
 *
 * @example
 * ```ts
 * const opt = new RMSprop(disc.parameters(), { learningRate: 5e-5 });
 * const { grads, value } = tf.variableGrads(() => loss(), disc.parameters());
 * opt.apply(grads); value.dispose(); tf.dispose(grads);
 * ```
 */
export class RMSprop extends Optimizer {
  private readonly vars: tf.Variable[];

  /**
   * @param variables - The variables `apply` updates.
   * @param options - Learning rate, decay α (default 0.99) and ε (default 1e-8).
   */
  constructor(variables: readonly tf.Variable[], options: RMSpropOptions) {
    super({ kind: 'rmsprop', ...options });
    this.vars = [...variables];
    this.init(this.vars);
  }

  /**
   * Apply gradients keyed by variable name (as `tf.variableGrads` returns them); unknown names are ignored.
   * @param grads - Gradients by `tf.Variable.name` (not disposed).
   */
  apply(grads: tf.NamedTensorMap): void {
    this.applyGradients(grads, this.vars);
  }
}
