/** Euler–Maruyama: y1 = y0 + f(t0, y0) h + g(t0, y0) ⋅ ΔW. Itô; strong order 0.5 (1.0 for additive noise). */
import * as tf from '@tensorflow/tfjs';
import { StatelessSdeSolver, increment, type SdeIncrement, type SdeSupport } from './support.js';
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
export class EulerMaruyama extends StatelessSdeSolver {
  readonly name = 'euler';
  readonly order = 0.5;
  readonly errorOrder = undefined;
  /** Itô SDEs with any noise type. */
  readonly support: SdeSupport = {
    sdeTypes: ['ito'],
    noises: ['diagonal', 'scalar', 'additive', 'general'],
    otherwise: 'euler',
  };

  protected advance(terms: SDETerm, t0: number, t1: number, y: tf.Tensor, args: unknown): SdeIncrement {
    const { W } = increment(terms, t0, t1, false);
    // f and g at one point: one call when the term shares their work (driftAndDiffusion).
    const [f, g] = terms.fAndG(t0, y, args);
    // One addN instead of two adds: same float32 sums in the same order, one kernel (and buffer) less.
    const y1 = tf.addN([y, tf.mul(f, t1 - t0), terms.prod(g, W)]);
    return { y1, nfe: 1 };
  }
}
