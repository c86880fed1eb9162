/**
 * Stochastic midpoint (Stratonovich): ỹ = y0 + ½(f0 h + g0 ⋅ ΔW), y1 = y0 + f(t½, ỹ) h + g(t½, ỹ) ⋅ ΔW.
 * Strong order 1 for commutative noise, 0.5 in general. Embedded Euler step for error control.
 */
import * as tf from '@tensorflow/tfjs';
import { StatelessSdeSolver, eulerIncrement, increment, type SdeIncrement, type SdeSupport } from './support.js';
import type { SDETerm } from './terms.js';

/**
 * The midpoint method for Stratonovich SDEs, adaptive-capable.
 *
 * @example
 * ```ts
 * solve({ terms: stratTerm, solver: 'midpoint', t0: 0, t1: 1, y0, dt0: 0.01 });
 * ```
 */
export class StochasticMidpoint extends StatelessSdeSolver {
  readonly name = 'midpoint';
  readonly order = 1;
  readonly errorOrder = 0.5;
  /** Stratonovich SDEs with any noise type. */
  readonly support: SdeSupport = {
    sdeTypes: ['stratonovich'],
    noises: ['diagonal', 'scalar', 'additive', 'general'],
    otherwise: 'midpoint',
  };

  protected advance(terms: SDETerm, t0: number, t1: number, y: tf.Tensor, args: unknown): SdeIncrement {
    const h = t1 - t0;
    const { W } = increment(terms, t0, t1, false);
    const k0 = eulerIncrement(terms, t0, y, args, h, W);
    const yMid = tf.add(y, tf.mul(k0, 0.5));
    const tMid = t0 + 0.5 * h;
    const kMid = eulerIncrement(terms, tMid, yMid, args, h, W);
    const y1 = tf.add(y, kMid);
    // Error: midpoint minus the embedded Euler step y0 + k0.
    const yError = tf.sub(kMid, k0);
    return { y1, yError, nfe: 2 };
  }
}
