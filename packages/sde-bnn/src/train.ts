/** One optimisation step: `@nde/nn`'s Adam with global-norm clipping on a module's explicit parameters. */
import type * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, type Module } from '@nde/core';
import { Optimizer } from '@nde/nn';

/** Options of {@link Trainer}. */
export interface TrainerOptions {
  /** Learning rate (default 1e-3). */
  learningRate?: number;
  /** Clip the global gradient norm (default: no clipping; `@nde/nn`'s `clipByGlobalNorm` formula). */
  clipNorm?: number;
}

/**
 * Adam over `module.parameters()` with optional clipping; `step` returns the loss and named extras
 * as numbers and leaves no tensors behind. The optimizer is `@nde/nn`'s (ε = 1e-7, what `tf.train.adam`
 * used here before on cpu and wasm), so its state goes into `saveCheckpoint(…, { optimizer: trainer.optimizer })`.
 *
 * @example
 * ```ts
 * const trainer = new Trainer(model, { learningRate: 2e-3, clipNorm: 5 });
 * const { loss, extras } = trainer.step(() => { const p = model.loss(x, y, opts); return { loss: p.loss, extras: { kl: p.kl } }; });
 * trainer.dispose();
 * ```
 */
export class Trainer {
  /** The Adam optimizer (learning rate `learningRate`, default 1e-3; clipping `clipNorm`). */
  readonly optimizer: Optimizer;

  constructor(
    /** The module whose parameters are trained. */
    readonly module: Module,
    options: TrainerOptions = {},
  ) {
    this.optimizer = new Optimizer({
      kind: 'adam',
      learningRate: options.learningRate ?? 1e-3,
      epsilon: 1e-7,
      ...(options.clipNorm !== undefined ? { clipNorm: options.clipNorm } : {}),
    });
  }

  /** Gradients are rescaled to this global L2 norm when larger (`undefined`: no clipping). */
  get clipNorm(): number | undefined {
    return this.optimizer.clipNorm;
  }

  /** Number of updates `step` has made. */
  get iterations(): number {
    return this.optimizer.iterations;
  }

  /** Change the learning rate (schedules). */
  set learningRate(lr: number) {
    this.optimizer.learningRate = lr;
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
    const extras: Record<string, number> = {};
    const { loss, gradNorm } = this.optimizer.step(() => {
      const r = fn();
      if (r.loss === undefined || r.loss === null || r.loss.rank !== 0)
        throw new InvalidArgumentError('loss', 'must be a scalar tensor.', 'Reduce with tf.mean.');
      for (const [k, v] of Object.entries(r.extras ?? {})) extras[k] = v.dataSync()[0] as number;
      return r.loss;
    }, this.module.parameters());
    return { loss, gradNorm, extras };
  }

  /** Release the optimizer's state. */
  dispose(): void {
    this.optimizer.dispose();
  }
}
