/**
 * Stochastic Runge–Kutta SRI2/SRID2 (Rößler 2010, SIAM J. Numer. Anal. 48(3), 922–952) for Itô
 * SDEs with diagonal or scalar noise: strong order 1.5. Uses the iterated integrals
 * I = ΔW, I₀ = h (H + ½ ΔW) (from the space-time Lévy area H), I₁₁ = (ΔW² − h)/2 and
 * I₁₁₁ = (ΔW³ − 3hΔW)/6 (diagonal noise needs no space-space area). Tableau as torchsde's
 * `tableaus/srid2.py`. Additive noise is handed to SRA1, as torchsde does.
 */
import * as tf from '@tensorflow/tfjs';
import { sra1Step } from './sra1.js';
import { StatelessSdeSolver, increment, type SdeIncrement, type SdeSupport } from './support.js';
import type { SDETerm } from './terms.js';

/** A stochastic Runge–Kutta tableau in Rößler's SRI form (torchsde's layout). */
export interface SriTableau {
  /** Drift stage times as fractions of the step: stage `s` evaluates `f` at `t0 + c0[s]·h`. */
  readonly c0: readonly number[];
  /** Diffusion stage times as fractions of the step: stage `s` evaluates `g` at `t0 + c1[s]·h`. */
  readonly c1: readonly number[];
  /** Drift-stage coefficients of `h·f_j` (row `s` has `s` entries). */
  readonly a0: readonly (readonly number[])[];
  /** Diffusion-stage coefficients of `h·f_j` (row `s` has `s` entries). */
  readonly a1: readonly (readonly number[])[];
  /** Drift-stage coefficients of `g_j · I₀/h` (row `s` has `s` entries). */
  readonly b0: readonly (readonly number[])[];
  /** Diffusion-stage coefficients of `√h·g_j` (row `s` has `s` entries). */
  readonly b1: readonly (readonly number[])[];
  /** Update weights of the drift stages, `y1 = y0 + Σ_s alpha[s]·h·f_s + …`. */
  readonly alpha: readonly number[];
  /** Update weights of `g_s · ΔW`. */
  readonly beta1: readonly number[];
  /** Update weights of `g_s · I₁₁/√h`, with `I₁₁ = (ΔW² − h)/2`. */
  readonly beta2: readonly number[];
  /** Update weights of `g_s · I₀/h`, with `I₀` the time–Brownian iterated integral (from the Lévy area `H`). */
  readonly beta3: readonly number[];
  /** Update weights of `g_s · I₁₁₁/h`, with `I₁₁₁ = (ΔW³ − 3hΔW)/6`. */
  readonly beta4: readonly number[];
}

/** The SRID2 tableau (4 stages, strong order 1.5 for diagonal noise). */
export const SRID2: SriTableau = {
  c0: [0, 1, 1 / 2, 0],
  c1: [0, 1 / 4, 1, 1 / 4],
  a0: [[], [1], [1 / 4, 1 / 4], [0, 0, 0]],
  a1: [[], [1 / 4], [1, 0], [0, 0, 1 / 4]],
  b0: [[], [0], [1, 1 / 2], [0, 0, 0]],
  b1: [[], [-1 / 2], [1, 0], [2, -1, 1 / 2]],
  alpha: [1 / 6, 1 / 6, 2 / 3, 0],
  beta1: [-1, 4 / 3, 2 / 3, 0],
  beta2: [1, -4 / 3, 1 / 3, 0],
  beta3: [2, -4 / 3, -2 / 3, 0],
  beta4: [-2, 5 / 3, -2 / 3, 1],
};

/**
 * Strong order 1.5 SRK for Itô SDEs with diagonal, scalar or additive noise (fixed steps);
 * needs a Brownian motion with `levyArea: 'space-time'`.
 *
 * @example
 * ```ts
 * solve({ terms: itoDiagonalTerm, solver: 'srk', t0: 0, t1: 1, y0, dt0: 0.05 });
 * ```
 */
export class SRK extends StatelessSdeSolver {
  readonly name = 'srk';
  readonly order = 1.5;
  readonly errorOrder = undefined;
  /** Itô SDEs with diagonal, scalar or additive noise; needs the space-time Lévy area. */
  readonly support: SdeSupport = {
    sdeTypes: ['ito'],
    noises: ['diagonal', 'scalar', 'additive'],
    spaceTimeLevy: true,
    otherwise: "'euler' or 'heun' for general noise",
  };

  protected advance(terms: SDETerm, t0: number, t1: number, y: tf.Tensor, args: unknown): SdeIncrement {
    if (terms.noise === 'additive') {
      const { y1 } = sra1Step(terms, t0, t1, y, args);
      return { y1, nfe: 2 };
    }
    const h = t1 - t0;
    const sq = Math.sqrt(Math.abs(h));
    const { W, H } = increment(terms, t0, t1, true);
    const i0h = tf.add(H as tf.Tensor, tf.mul(W, 0.5)); // I₀ / h
    const i11 = tf.mul(tf.sub(tf.square(W), h), 0.5);
    const i111 = tf.div(tf.sub(tf.pow(W, 3), tf.mul(W, 3 * h)), 6);
    const diag = (g: tf.Tensor): tf.Tensor => (terms.noise === 'scalar' ? tf.squeeze(g, [g.rank - 1]) : g);
    const T = SRID2;
    const fs: tf.Tensor[] = [];
    const gs: tf.Tensor[] = [];
    let y1 = y;
    for (let s = 0; s < 4; s++) {
      let h0 = y;
      let h1 = y;
      for (let j = 0; j < s; j++) {
        const a0 = T.a0[s]?.[j] ?? 0;
        const b0 = T.b0[s]?.[j] ?? 0;
        const a1 = T.a1[s]?.[j] ?? 0;
        const b1 = T.b1[s]?.[j] ?? 0;
        if (a0 !== 0) h0 = tf.add(h0, tf.mul(fs[j] as tf.Tensor, a0 * h));
        if (b0 !== 0) h0 = tf.add(h0, tf.mul(tf.mul(gs[j] as tf.Tensor, i0h), b0));
        if (a1 !== 0) h1 = tf.add(h1, tf.mul(fs[j] as tf.Tensor, a1 * h));
        if (b1 !== 0) h1 = tf.add(h1, tf.mul(gs[j] as tf.Tensor, b1 * sq));
      }
      // The last stage's drift has weight 0 and feeds no later stage: skip it.
      const at = (v: readonly number[]): number => v[s] as number;
      if (s < 3) fs.push(terms.f(t0 + at(T.c0) * h, h0, args));
      gs.push(diag(terms.g(t0 + at(T.c1) * h, h1, args)));
      const weight = tf.addN([
        tf.mul(W, at(T.beta1)),
        tf.mul(i11, at(T.beta2) / sq),
        tf.mul(i0h, at(T.beta3)),
        tf.mul(i111, at(T.beta4) / h),
      ]);
      if (at(T.alpha) !== 0) y1 = tf.add(y1, tf.mul(fs[s] as tf.Tensor, at(T.alpha) * h));
      y1 = tf.add(y1, tf.mul(gs[s] as tf.Tensor, weight));
    }
    return { y1, nfe: 3 };
  }
}
