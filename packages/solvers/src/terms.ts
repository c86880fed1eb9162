/**
 * Terms: the right-hand side of a differential equation, separate from how it is solved.
 * `ODETerm` is dy = f(t, y, args) dt. SDE terms (drift + diffusion against a Brownian control)
 * live in `sde/terms.ts`.
 */
import * as tf from '@tensorflow/tfjs';
import {
  InvalidArgumentError,
  assertTreeLike,
  isTensor,
  ownedResult,
  treeAdd,
  treeDispose,
  treeMap,
  whyNotATree,
  type Tree,
} from '@nde/core';

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

/**
 * A vector field that takes time as a tensor: shape `[]` in ordinary solves, `[batch]` in a
 * device-resident solve with per-sample step sizes (one time per sample).
 */
export type TensorTimeVectorField<Y extends Tree = Tree, A = unknown> = (t: tf.Tensor, y: Y, args: A) => Y;

/**
 * dy/dt = f(t, y, args) with `t` a tensor, so the device-resident loop (`solve({ onDevice })`), whose
 * time lives on the device, can evaluate it without reading time back. It is an {@link ODETerm}:
 * every other solve passes `t` as a scalar tensor. An autonomous field simply ignores `t`.
 *
 * @example
 * ```ts
 * // per-sample time arrives as shape [batch]: reshape it to broadcast against y [batch, n]
 * const term = new TensorTimeODETerm((t, y) => tf.mul(tf.cos(t).reshape([-1, 1]), y as tf.Tensor));
 * ```
 */
export class TensorTimeODETerm<Y extends Tree = Tree, A = unknown> extends ODETerm<Y, A> {
  constructor(
    /** The vector field `f(t, y, args)` with `t` a tensor. */
    readonly tensorVf: TensorTimeVectorField<Y, A>,
  ) {
    if (typeof tensorVf !== 'function') {
      throw new InvalidArgumentError(
        'vf',
        `must be a function (t, y, args) => dy/dt (got ${tensorVf === null ? 'null' : typeof tensorVf}).`,
      );
    }
    super((t: number, y: Y, args: A) => {
      const time = tf.scalar(t);
      try {
        const out = tensorVf(time, y, args);
        // A field may return t itself (dy/dt = t): that leaf must outlive the scalar.
        if (out === time) return time.clone() as Tree as Y;
        // (Anything that is not a tree goes on as it is, for the caller's check to name.)
        return (isTensor(out) || whyNotATree(out) !== undefined ? out : treeMap((x) => (x === time ? x.clone() : x), out)) as Y;
      } finally {
        // Gradients keep their own copies of what they save.
        time.dispose();
      }
    });
  }

  /**
   * The vector field at a time held in a tensor, checked and owned as {@link ODETerm.evaluate}.
   * @param t - time, shape `[]` or `[batch]`
   * @param y - state
   * @param args - passed to the field
   */
  evaluateAt(t: tf.Tensor, y: Y, args: A): Y {
    return ownedResult(() => {
      const out = this.tensorVf(t, y, args);
      assertTreeLike('terms.vf', out, y, 'The vector field must return a tree with the same structure and shapes as y.');
      return out;
    });
  }
}

/**
 * Two ODE terms whose sum is the vector field, for IMEX solvers: `explicit` (non-stiff, stepped
 * explicitly) and `implicit` (stiff, solved by Newton), as diffrax's `MultiTerm` pairs them.
 *
 * @example
 * ```ts
 * // advection explicit, fast reaction implicit
 * const terms = new MultiTerm(new ODETerm(advection), new ODETerm(reaction));
 * solve({ terms, solver: 'kencarp4', t0: 0, t1: 1, y0 });
 * ```
 */
export class MultiTerm<Y extends Tree = Tree, A = unknown> {
  /** Discriminant telling solvers this is a pair of ODE terms. */
  readonly kind = 'multi' as const;
  constructor(
    /** The non-stiff part, stepped explicitly. */
    readonly explicit: ODETerm<Y, A>,
    /** The stiff part, solved implicitly. */
    readonly implicit: ODETerm<Y, A>,
  ) {
    for (const [name, t] of [
      ['explicit', explicit],
      ['implicit', implicit],
    ] as const) {
      if (!(t instanceof ODETerm)) {
        throw new InvalidArgumentError(`terms.${name}`, 'must be an ODETerm.', `Wrap the field: new ODETerm((t, y, args) => …).`);
      }
    }
  }

  /**
   * The whole vector field at (t, y): the sum of both parts (owned by the caller).
   * @param t - time
   * @param y - state
   * @param args - passed to both fields
   */
  evaluate(t: number, y: Y, args: A): Y {
    const a = this.explicit.evaluate(t, y, args);
    const b = this.implicit.evaluate(t, y, args);
    const sum = treeAdd(a, b) as Y;
    treeDispose(a, b);
    return sum;
  }
}
