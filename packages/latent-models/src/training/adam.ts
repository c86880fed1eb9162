/** Adam with optional global-norm clipping, stepping on a module's explicit parameters. */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, assertPositive, type Module } from '@nde/core';
import { clipByGlobalNorm, globalNorm } from './clip.js';

/** Options of {@link Adam}. */
export interface AdamOptions {
  /** Learning rate (default 1e-3). */
  learningRate?: number;
  /** Exponential decay rate of the first-moment (mean) estimate (default 0.9). */
  beta1?: number;
  /** Exponential decay rate of the second-moment (uncentred variance) estimate (default 0.999). */
  beta2?: number;
  /** Constant added to the denominator for numerical stability (default 1e-8). */
  epsilon?: number;
  /** Clip the global gradient norm to this value before each update (default: no clipping). */
  clipNorm?: number;
}

/** What one {@link Adam.step} did. */
export interface StepInfo {
  /** The loss before the update. */
  loss: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
}

const asList = (g: Record<string, tf.Tensor>): { name: string; tensor: tf.Tensor }[] =>
  Object.entries(g).map(([name, tensor]) => ({ name, tensor }));

/** Parameters to train: a module, a list of modules, or variables. */
export type Trainable = Module | readonly Module[] | readonly tf.Variable[] | Record<string, tf.Variable>;

/**
 * The variables of a {@link Trainable}, deduplicated by variable name, in a stable order (the
 * modules' `parameters()` order, first occurrence kept). The variables are returned, not copied.
 * @param params - A module, a list of modules and/or variables, or a record of variables.
 * @throws InvalidArgumentError when an entry is not a `tf.Variable` or nothing trainable is found.
 */
export function trainableVariables(params: Trainable): tf.Variable[] {
  let list: tf.Variable[];
  if (Array.isArray(params)) {
    list = (params as readonly (Module | tf.Variable)[]).flatMap((p) => (p instanceof tf.Variable ? [p] : (p as Module).parameters()));
  } else if (typeof (params as Module).parameters === 'function') {
    list = (params as Module).parameters();
  } else {
    list = Object.values(params as Record<string, tf.Variable>);
  }
  const seen = new Set<string>();
  const out = list.filter((v) => {
    if (!(v instanceof tf.Variable))
      throw new InvalidArgumentError(
        'params',
        'contains something that is not a tf.Variable.',
        'Pass a Module, Module[] or tf.Variable[].',
      );
    if (seen.has(v.name)) return false;
    seen.add(v.name);
    return true;
  });
  if (out.length === 0)
    throw new InvalidArgumentError(
      'params',
      'has no trainable variables.',
      'Pass the model (a Module) whose parameters should be trained.',
    );
  return out;
}

/**
 * Adam (`tf.train.adam`) that takes a loss closure and a model, computes gradients with
 * `tf.variableGrads`, optionally clips them, and applies them. Leaves no tensors behind.
 *
 * @example
 * ```ts
 * const opt = new Adam({ learningRate: 1e-2, clipNorm: 1 });
 * for (let i = 0; i < 100; i++) {
 *   const { loss } = opt.step(() => model.loss(batch), model);
 * }
 * opt.dispose();
 * ```
 */
export class Adam {
  /** The underlying tfjs optimizer (owned by this object; released by {@link Adam.dispose}). */
  readonly optimizer: tf.AdamOptimizer;
  /** Maximum global gradient norm applied before each update, or `undefined` for no clipping. */
  readonly clipNorm: number | undefined;
  /** Number of updates applied. */
  iterations = 0;

  constructor(options: AdamOptions = {}) {
    const lr = options.learningRate ?? 1e-3;
    assertPositive('learningRate', lr);
    if (options.clipNorm !== undefined) assertPositive('clipNorm', options.clipNorm, 'Omit it to disable clipping.');
    this.clipNorm = options.clipNorm;
    this.optimizer = tf.train.adam(lr, options.beta1 ?? 0.9, options.beta2 ?? 0.999, options.epsilon ?? 1e-8);
  }

  /** Current learning rate. */
  get learningRate(): number {
    return (this.optimizer as unknown as { learningRate: number }).learningRate;
  }

  /** Change the learning rate (schedules). */
  set learningRate(lr: number) {
    assertPositive('learningRate', lr);
    (this.optimizer as unknown as { learningRate: number }).learningRate = lr;
  }

  /**
   * One update: gradients of `loss()` with respect to `params`, clipped, applied.
   * @param loss - Closure returning the scalar loss; called once inside `tf.variableGrads` (its tensors are freed).
   * @param params - What to differentiate and update (see {@link trainableVariables}).
   * @returns The loss value and the gradient norm before clipping, as JS numbers.
   * @throws InvalidArgumentError when `loss` does not return a scalar.
   */
  step(loss: () => tf.Scalar, params: Trainable): StepInfo {
    const vars = trainableVariables(params);
    const { value, grads } = tf.variableGrads(() => {
      const l = loss();
      if (!(l instanceof tf.Tensor) || l.rank !== 0) {
        throw new InvalidArgumentError(
          'loss',
          `must return a scalar tensor (got ${l instanceof tf.Tensor ? `rank ${l.rank}` : typeof l}).`,
          'Reduce with tf.mean or tf.sum.',
        );
      }
      return l;
    }, vars);
    const lossValue = value.dataSync()[0] as number;
    value.dispose();
    let gradNorm: number;
    if (this.clipNorm !== undefined) {
      const clipped = clipByGlobalNorm(grads, this.clipNorm);
      gradNorm = clipped.norm;
      this.optimizer.applyGradients(asList(clipped.grads));
      tf.dispose(clipped.grads);
    } else {
      gradNorm = globalNorm(grads);
      this.optimizer.applyGradients(asList(grads));
    }
    tf.dispose(grads);
    this.iterations++;
    return { loss: lossValue, gradNorm };
  }

  /** Release the optimizer's moment estimates. */
  dispose(): void {
    this.optimizer.dispose();
  }
}
