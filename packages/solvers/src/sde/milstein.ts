/**
 * Milstein's method, Itô or Stratonovich, for diagonal (elementwise), scalar and additive noise:
 *
 *   y1 = y0 + f h + g ΔW + ½ g g' (ΔW² − h)      (Itô; Stratonovich drops the − h)
 *
 * Strong order 1. `g g'` is a vector–Jacobian product (`tf.grad` with upstream g), or, with
 * `derivativeFree`, the Kloeden–Platen difference (g(ŷ) − g(y)) / √h at the supporting value
 * ŷ = y + f h + g √h (no gradients; also handles scalar noise, where g g' is a Jacobian–vector product).
 */
import * as tf from '@tensorflow/tfjs';
import { vjp } from '@nde/core';
import { StatelessSdeSolver, increment, type SdeIncrement, type SdeSupport } from './support.js';
import type { SDETerm } from './terms.js';

/** Options of {@link Milstein}. */
export interface MilsteinOptions {
  /** Replace the derivative g ∂g/∂y by a finite difference (default false). */
  readonly derivativeFree?: boolean;
}

/**
 * Milstein's method (fixed steps).
 *
 * @example
 * ```ts
 * solve({ terms: itoTerm, solver: 'milstein', t0: 0, t1: 1, y0, dt0: 0.01 });
 * solve({ terms: itoTerm, solver: new Milstein({ derivativeFree: true }), t0: 0, t1: 1, y0, dt0: 0.01 });
 * ```
 */
export class Milstein extends StatelessSdeSolver {
  readonly name: string;
  readonly order = 1;
  readonly errorOrder = undefined;
  /** Itô or Stratonovich SDEs with diagonal or additive noise, plus scalar noise when `derivativeFree`. */
  readonly support: SdeSupport;
  /**
   * Whether `g ∂g/∂y` is replaced by the Kloeden–Platen finite difference (no gradients; name `'milstein_grad_free'`);
   * default false.
   */
  readonly derivativeFree: boolean;

  constructor(options: MilsteinOptions = {}) {
    super();
    this.derivativeFree = options.derivativeFree ?? false;
    this.name = this.derivativeFree ? 'milstein_grad_free' : 'milstein';
    this.support = {
      sdeTypes: ['ito', 'stratonovich'],
      noises: this.derivativeFree ? ['diagonal', 'scalar', 'additive'] : ['diagonal', 'additive'],
      otherwise: this.derivativeFree
        ? "'euler' (Itô) or 'heun' (Stratonovich) for general noise"
        : "'milstein_grad_free' for scalar noise, 'euler' or 'heun' for general noise",
    };
  }

  protected advance(terms: SDETerm, t0: number, t1: number, y: tf.Tensor, args: unknown): SdeIncrement {
    const h = t1 - t0;
    const { W } = increment(terms, t0, t1, false);
    const f = terms.f(t0, y, args);
    const g = terms.g(t0, y, args);
    const fh = tf.mul(f, h);
    const gW = terms.prod(g, W);
    // Additive noise: g' = 0, Milstein is Euler.
    if (terms.noise === 'additive') {
      const euler = tf.addN([y, fh, gW]);
      return { y1: euler, nfe: 1 };
    }
    const w2 = tf.square(W);
    const weight = terms.sdeType === 'ito' ? tf.sub(w2, h) : w2;
    let ggPrime: tf.Tensor;
    if (this.derivativeFree) {
      // √|h| keeps the difference real for backward solves; it only sets the finite-difference width.
      const sq = Math.sqrt(Math.abs(h));
      const gv = terms.noise === 'scalar' ? tf.squeeze(g, [g.rank - 1]) : g;
      const support = tf.addN([y, fh, tf.mul(gv, sq)]);
      const gs = terms.g(t0, support, args);
      const diff = tf.sub(gs, g);
      ggPrime = tf.div(terms.noise === 'scalar' ? tf.squeeze(diff, [diff.rank - 1]) : diff, sq);
    } else {
      // Zeros when g does not depend on y (a constant diffusion: Milstein is then Euler).
      ggPrime = vjp(() => terms.diffusion(t0, y, args), [y], g)[0] as tf.Tensor;
    }
    // y + f h + g ΔW + ½ g g' (ΔW² − h), summed by one addN kernel.
    const y1 = tf.addN([y, fh, gW, tf.mul(tf.mul(ggPrime, weight), 0.5)]);
    return { y1, nfe: 1 };
  }
}
