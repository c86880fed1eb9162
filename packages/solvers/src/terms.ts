/**
 * Terms: the right-hand side of a differential equation, separate from how it is solved.
 * `ODETerm` is dy = f(t, y, args) dt. SDE terms (drift + diffusion against a Brownian control)
 * live in `sde/terms.ts`.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Tree } from '@nde/core';

/** A vector field `f(t, y, args)` returning a tree shaped like `y`. */
export type VectorField<Y extends Tree = Tree, A = unknown> = (t: number, y: Y, args: A) => Y;

/**
 * dy/dt = f(t, y, args).
 *
 * @example
 * ```ts
 * const term = new ODETerm((t, y) => tf.neg(y as tf.Tensor));
 * ```
 */
export class ODETerm<Y extends Tree = Tree, A = unknown> {
  /** Discriminant telling `solve` this is an ODE term (SDE terms have `kind: 'sde'`). */
  readonly kind = 'ode' as const;
  constructor(
    /** The vector field `f(t, y, args)`, returning a tree shaped like `y`. */
    readonly vf: VectorField<Y, A>,
  ) {}
}

/** Optional scalar tensor helper for vector fields that need `t` as a tensor. */
export type TimeTensor = tf.Scalar;
