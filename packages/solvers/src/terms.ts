/**
 * Terms: the right-hand side of a differential equation, separate from how it is solved.
 * `ODETerm` is dy = f(t, y, args) dt. SDE terms (drift + diffusion against a Brownian control)
 * live in `sde/terms.ts`.
 */
import type * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, assertTreeLike, ownedResult, type Tree } from '@nde/core';

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
  ) {
    if (typeof vf !== 'function') {
      throw new InvalidArgumentError('vf', `must be a function (t, y, args) => dy/dt (got ${vf === null ? 'null' : typeof vf}).`);
    }
  }

  /**
   * The vector field at (t, y), checked to be a tree shaped like `y`, with every leaf owned by the
   * caller: a leaf the field returns unchanged from its input (`(t, y) => y`) or from elsewhere (a
   * captured constant) comes back as a copy, so solvers may keep, hand over and dispose what they get.
   * @throws ShapeError / InvalidArgumentError naming `terms.vf` when the field returns something else.
   */
  evaluate(t: number, y: Y, args: A): Y {
    const dy = ownedResult(() => {
      const out = this.vf(t, y, args);
      assertTreeLike('terms.vf', out, y, 'The vector field must return a tree with the same structure and shapes as y.');
      return out;
    });
    return dy;
  }
}

/** Optional scalar tensor helper for vector fields that need `t` as a tensor. */
export type TimeTensor = tf.Scalar;
