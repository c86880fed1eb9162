/** One optimisation step: Adam with global-norm clipping on a module's explicit parameters. */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, assertPositive, type Module } from '@nde/core';

/** Options of {@link Trainer}. */
export interface TrainerOptions {
  /** Learning rate (default 1e-3). */
  learningRate?: number;
  /** Clip the global gradient norm (default: no clipping). */
  clipNorm?: number;
}

/**
 * Adam over `module.parameters()` with optional clipping; `step` returns the loss and named extras
 * as numbers and leaves no tensors behind. (The same job as `@nde/latent-models`' Adam, kept here
 * so this package does not depend on the latent models.)
 *
 * @example
 * ```ts
 * const trainer = new Trainer(model, { learningRate: 2e-3, clipNorm: 5 });
 * const { loss, extras } = trainer.step(() => { const p = model.loss(x, y, opts); return { loss: p.loss, extras: { kl: p.kl } }; });
 * trainer.dispose();
 * ```
 */
export class Trainer {
  /** The Adam optimizer (learning rate `learningRate`, default 1e-3). */
  readonly optimizer: tf.AdamOptimizer;
  /** Gradients are rescaled to this global L2 norm when larger (`undefined`: no clipping). */
  readonly clipNorm: number | undefined;
  /** Number of updates `step` has made. */
  iterations = 0;

  constructor(
    /** The module whose parameters are trained. */
    readonly module: Module,
    options: TrainerOptions = {},
  ) {
    const lr = options.learningRate ?? 1e-3;
    assertPositive('learningRate', lr);
    if (options.clipNorm !== undefined) assertPositive('clipNorm', options.clipNorm);
    this.clipNorm = options.clipNorm;
    this.optimizer = tf.train.adam(lr);
  }

  /** Change the learning rate (schedules). */
  set learningRate(lr: number) {
    assertPositive('learningRate', lr);
    (this.optimizer as unknown as { learningRate: number }).learningRate = lr;
  }

  /**
   * One update. `fn` returns the scalar loss and optional scalar extras (read back as numbers).
   * @throws InvalidArgumentError when the loss is not a scalar.
   */
  step(fn: () => { loss: tf.Scalar; extras?: Record<string, tf.Scalar> }): {
    loss: number;
    gradNorm: number;
    extras: Record<string, number>;
  } {
    const vars = this.module.parameters();
    const extras: Record<string, number> = {};
    const { value, grads } = tf.variableGrads(() => {
      const r = fn();
      if (!(r.loss instanceof tf.Tensor) || r.loss.rank !== 0)
        throw new InvalidArgumentError('loss', 'must be a scalar tensor.', 'Reduce with tf.mean.');
      for (const [k, v] of Object.entries(r.extras ?? {})) extras[k] = v.dataSync()[0] as number;
      return r.loss;
    }, vars);
    const loss = value.dataSync()[0] as number;
    value.dispose();
    const gradNorm = tf.tidy(() => Math.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g)))).dataSync()[0] as number));
    const scale = this.clipNorm !== undefined && gradNorm > this.clipNorm ? this.clipNorm / gradNorm : 1;
    const list = Object.entries(grads).map(([name, g]) => ({ name, tensor: scale === 1 ? g : tf.mul(g, scale) }));
    this.optimizer.applyGradients(list);
    if (scale !== 1) tf.dispose(list.map((l) => l.tensor));
    tf.dispose(grads);
    this.iterations++;
    return { loss, gradNorm, extras };
  }

  /** Release the optimizer's state. */
  dispose(): void {
    this.optimizer.dispose();
  }
}
