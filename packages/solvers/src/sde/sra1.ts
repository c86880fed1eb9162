/**
 * SRA1 (Rößler 2010, "Runge–Kutta methods for the strong approximation of solutions of stochastic
 * differential equations", SIAM J. Numer. Anal. 48(3)): strong order 1.5 for additive noise, using
 * the space-time Lévy area. With I = ΔW and I₀ = ∫(W_s − W_t0) ds = h (H + ½ ΔW) (H the space-time
 * Lévy area, variance h/12):
 *
 *   ỹ  = y0 + ¾ f(t0, y0) h + (3/2) g(t1) I₀ / h
 *   y1 = y0 + (⅓ f(t0, y0) + ⅔ f(t0 + ¾h, ỹ)) h + g(t1) (I − I₀/h) + g(t0) I₀/h
 *
 * (tableau as in torchsde's `tableaus/sra1.py` / diffrax's `SRA1`). Embedded error ⅔ (f1 − f0) h
 * (diffrax's `b_error`), so it runs adaptively too. Additive noise means Itô = Stratonovich.
 */
import * as tf from '@tensorflow/tfjs';
import { StatelessSdeSolver, increment, type SdeIncrement, type SdeSupport } from './support.js';
import type { SDETerm } from './terms.js';

/**
 * One SRA1 step (used by {@link SRA1} and by {@link SRK} for additive noise). Tensors are new.
 *
 * @example
 * ```ts
 * const { y1, yError } = sra1Step(terms, 0, 0.1, y0, undefined);
 * ```
 *
 * @internal
 */
export function sra1Step(terms: SDETerm, t0: number, t1: number, y: tf.Tensor, args: unknown): { y1: tf.Tensor; yError: tf.Tensor } {
  const h = t1 - t0;
  const { W, H } = increment(terms, t0, t1, true);
  const i0h = tf.add(H as tf.Tensor, tf.mul(W, 0.5)); // I₀ / h
  const gEnd = terms.g(t1, y, args);
  const f0 = terms.f(t0, y, args);
  const yTilde = tf.add(tf.add(y, tf.mul(f0, 0.75 * h)), tf.mul(terms.prod(gEnd, i0h), 1.5));
  const f1 = terms.f(t0 + 0.75 * h, yTilde, args);
  const drift = tf.add(tf.mul(f0, h / 3), tf.mul(f1, (2 * h) / 3));
  const noise = tf.add(terms.prod(gEnd, tf.sub(W, i0h)), terms.gProd(t0, y, args, i0h));
  const y1 = tf.add(tf.add(y, drift), noise);
  const yError = tf.mul(tf.sub(f1, f0), (2 * h) / 3);
  return { y1, yError };
}

/**
 * SRA1 for additive-noise SDEs (strong order 1.5); needs a Brownian motion with
 * `levyArea: 'space-time'`.
 *
 * @example
 * ```ts
 * const bm = new VirtualBrownianTree({ t0: 0, t1: 1, shape: [256, 1], key: key(1), levyArea: 'space-time' });
 * solve({ terms: new SDETerm({ drift, diffusion, bm, noise: 'additive' }), solver: 'sra1', t0: 0, t1: 1, y0, dt0: 0.05 });
 * ```
 */
export class SRA1 extends StatelessSdeSolver {
  readonly name = 'sra1';
  readonly order = 1.5;
  /** The drift difference is O(h^1.5) per step for additive noise. */
  readonly errorOrder = 1;
  /** Additive noise only (Itô and Stratonovich agree there); needs the space-time Lévy area. */
  readonly support: SdeSupport = {
    sdeTypes: ['ito', 'stratonovich'],
    noises: ['additive'],
    spaceTimeLevy: true,
    otherwise: "'srk' (diagonal/scalar noise), 'milstein' or 'heun'",
  };

  protected advance(terms: SDETerm, t0: number, t1: number, y: tf.Tensor, args: unknown): SdeIncrement {
    const { y1, yError } = sra1Step(terms, t0, t1, y, args);
    return { y1, yError, nfe: 2 };
  }
}
