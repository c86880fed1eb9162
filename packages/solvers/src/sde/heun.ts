/**
 * Stochastic Heun (Stratonovich): predictor ỹ = y0 + f0 h + g0 ⋅ ΔW, then
 * y1 = y0 + ½(f0 + f(t1, ỹ)) h + ½(g0 + g(t1, ỹ)) ⋅ ΔW. Strong order 1 for commutative noise
 * (diagonal, scalar, additive), 0.5 in general. The Euler predictor is the embedded method:
 * error = y1 − ỹ, so PIDController works (the Brownian motion can be queried anywhere).
 */
import * as tf from '@tensorflow/tfjs';
import { StatelessSdeSolver, eulerIncrement, increment, type SdeIncrement, type SdeSupport } from './support.js';
import type { SDETerm } from './terms.js';

/**
 * Heun's method for Stratonovich SDEs, adaptive-capable.
 *
 * @example
 * ```ts
 * solve({ terms: stratTerm, solver: 'heun', t0: 0, t1: 1, y0, dt0: 0.01,
 *         stepSizeController: new PIDController({ rtol: 1e-3, atol: 1e-3 }) });
 * ```
 */
export class StochasticHeun extends StatelessSdeSolver {
  readonly name = 'heun';
  readonly order = 1;
  /** Local error of the Euler–Heun difference ~ h^1.5 for commutative noise (diffrax's choice: strong order + ½). */
  readonly errorOrder = 0.5;
  /** Stratonovich SDEs with any noise type. */
  readonly support: SdeSupport = {
    sdeTypes: ['stratonovich'],
    noises: ['diagonal', 'scalar', 'additive', 'general'],
    otherwise: 'heun',
  };

  protected advance(terms: SDETerm, t0: number, t1: number, y: tf.Tensor, args: unknown): SdeIncrement {
    const h = t1 - t0;
    const { W } = increment(terms, t0, t1, false);
    const k0 = eulerIncrement(terms, t0, y, args, h, W);
    const yPred = tf.add(y, k0);
    const k1 = eulerIncrement(terms, t1, yPred, args, h, W);
    const y1 = tf.add(y, tf.mul(tf.add(k0, k1), 0.5));
    const yError = tf.mul(tf.sub(k1, k0), 0.5);
    return { y1, yError, nfe: 2 };
  }
}
