/**
 * `DirectAdjoint`: differentiate through the solver's own operations (discretize-then-optimize).
 * Exact gradients of the computed solution; memory grows with the number of steps, since tfjs keeps
 * every stage's tensors for the backward pass.
 */
import type { Tree } from '@nde/core';
import type { AdjointMethod, Solution, SolveOptions } from '@nde/solvers';
import type { ParamsSpec } from './params.js';

/** Options of {@link DirectAdjoint}. */
export interface DirectAdjointOptions {
  /** Parameters `valueAndGrads` reports (default: found by probing the terms). Gradients flow to every variable used either way. */
  readonly params?: ParamsSpec;
}

/**
 * Backpropagate through every operation of the solve.
 *
 * @example
 * ```ts
 * const { value, grads } = tf.variableGrads(() => {
 *   const sol = solve({ terms, solver: 'dopri5', t0: 0, t1: 1, y0, adjoint: new DirectAdjoint() });
 *   const loss = tf.sum(sol.ys as tf.Tensor);
 *   return loss as tf.Scalar;
 * });
 * ```
 */
export class DirectAdjoint implements AdjointMethod {
  /** Identifier of this adjoint: `'direct'`. */
  readonly name = 'direct';
  /**
   * Parameters `valueAndGrads` reports (`undefined`: found by probing the terms); gradients flow to every variable
   * used either way.
   */
  readonly params: ParamsSpec | undefined;

  constructor(options: DirectAdjointOptions = {}) {
    this.params = options.params;
  }

  solve<Y extends Tree, A>(options: SolveOptions<Y, A>, forward: (options: SolveOptions<Y, A>) => Solution<Y>): Solution<Y> {
    return forward(options);
  }
}
