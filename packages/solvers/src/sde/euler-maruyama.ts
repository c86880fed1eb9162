/** Euler–Maruyama: y1 = y0 + f(t0, y0) h + g(t0, y0) ⋅ ΔW. Itô; strong order 0.5 (1.0 for additive noise). */
import * as tf from '@tensorflow/tfjs';
import type { Tree } from '@nde/core';
import type { StepResult } from '../solver.js';
import { SdeSolver, increment, linearDense, type SdeSupport } from './support.js';
import type { SDETerm } from './terms.js';

/**
 * Euler–Maruyama for Itô SDEs with any noise type. Fixed steps only (no error estimate).
 *
 * @example
 * ```ts
 * solve({ terms: sdeTerm, solver: new EulerMaruyama(), t0: 0, t1: 1, y0, dt0: 0.01 });
 * // or by name: solver: 'euler' (SDE terms select the SDE method)
 * ```
 */
export class EulerMaruyama extends SdeSolver {
  readonly name = 'euler';
  readonly order = 0.5;
  readonly errorOrder = undefined;
  readonly support: SdeSupport = {
    sdeTypes: ['ito'],
    noises: ['diagonal', 'scalar', 'additive', 'general'],
    otherwise: 'euler',
  };

  step(
    terms: SDETerm,
    t0: number,
    t1: number,
    y0: Tree,
    args: unknown,
    _s: undefined,
    opts: { needsDense: boolean },
  ): StepResult<undefined> {
    const y = y0 as tf.Tensor;
    const { W } = increment(terms, t0, t1, false);
    const f = terms.f(t0, y, args);
    // One addN instead of two adds: same float32 sums in the same order, one kernel (and buffer) less.
    const y1 = tf.addN([y, tf.mul(f, t1 - t0), terms.gProd(t0, y, args, W)]);
    return { y1, ...(opts.needsDense ? { interp: linearDense(y, y1) } : {}), state: undefined, nfe: 1 };
  }
}
