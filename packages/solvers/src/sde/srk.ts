/**
 * Stochastic Runge–Kutta methods in Rößler's SRI form (SIAM J. Numer. Anal. 48(3), 2010, 922–952)
 * for Itô SDEs with diagonal or scalar noise, driven by a tableau (`tableaus/sri.ts`; SRID2, strong
 * order 1.5, by default). Uses the iterated integrals I = ΔW, I₀ = h (H + ½ ΔW) (from the
 * space-time Lévy area H), I₁₁ = (ΔW² − h)/2 and I₁₁₁ = (ΔW³ − 3hΔW)/6 (diagonal noise needs no
 * space-space area). Stages whose drift or diffusion nothing uses are not evaluated. Additive noise
 * is handed to SRA1, as torchsde does.
 */
import * as tf from '@tensorflow/tfjs';
import { sraStep } from './sra1.js';
import { SRID2, type SriTableau } from './tableaus/sri.js';
import { SRA1_TABLEAU } from './tableaus/sra.js';
import { StatelessSdeSolver, increment, type SdeIncrement, type SdeSupport } from './support.js';
import type { SDETerm } from './terms.js';

/**
 * Strong order 1.5 SRK for Itô SDEs with diagonal, scalar or additive noise (fixed steps), from an
 * SRI tableau (SRID2 by default); needs a Brownian motion with `levyArea: 'space-time'`.
 *
 * @example
 * ```ts
 * solve({ terms: itoDiagonalTerm, solver: 'srk', t0: 0, t1: 1, y0, dt0: 0.05 });
 * // another tableau, e.g. torchsde's SRID1:
 * const srid1 = new SRK({ name: 'srid1', tableau: SRID1 });
 * ```
 */
export class SRK extends StatelessSdeSolver {
  readonly name: string;
  readonly order = 1.5;
  readonly errorOrder = undefined;
  /** The tableau driving the steps. */
  readonly tableau: SriTableau;
  /** Itô SDEs with diagonal, scalar or additive noise; needs the space-time Lévy area. */
  readonly support: SdeSupport = {
    sdeTypes: ['ito'],
    noises: ['diagonal', 'scalar', 'additive'],
    spaceTimeLevy: true,
    otherwise: "'euler' or 'heun' for general noise",
  };
  /** Which stages' drift (f) and diffusion (g) anything uses. */
  private readonly needsF: readonly boolean[];
  private readonly needsG: readonly boolean[];

  /** @param options - the tableau (default SRID2) and the method's name (default `'srk'`) */
  constructor(options: { readonly tableau?: SriTableau; readonly name?: string } = {}) {
    super();
    const T = (this.tableau = options.tableau ?? SRID2);
    this.name = options.name ?? 'srk';
    const n = T.c0.length;
    const usedLater = (rows: readonly (readonly (readonly number[])[])[], j: number): boolean =>
      rows.some((m) => m.some((row, s) => s > j && (row[j] ?? 0) !== 0));
    this.needsF = Array.from({ length: n }, (_, j) => (T.alpha[j] ?? 0) !== 0 || usedLater([T.a0, T.a1], j));
    this.needsG = Array.from(
      { length: n },
      (_, j) => [T.beta1, T.beta2, T.beta3, T.beta4].some((b) => (b[j] ?? 0) !== 0) || usedLater([T.b0, T.b1], j),
    );
  }

  protected advance(terms: SDETerm, t0: number, t1: number, y: tf.Tensor, args: unknown): SdeIncrement {
    if (terms.noise === 'additive') {
      const { y1 } = sraStep(SRA1_TABLEAU, terms, t0, t1, y, args);
      return { y1, nfe: SRA1_TABLEAU.c0.length };
    }
    const h = t1 - t0;
    const sq = Math.sqrt(Math.abs(h));
    const { W, H } = increment(terms, t0, t1, true);
    const i0h = tf.add(H as tf.Tensor, tf.mul(W, 0.5)); // I₀ / h
    const i11 = tf.mul(tf.sub(tf.square(W), h), 0.5);
    const i111 = tf.div(tf.sub(tf.pow(W, 3), tf.mul(W, 3 * h)), 6);
    const diag = (g: tf.Tensor): tf.Tensor => (terms.noise === 'scalar' ? tf.squeeze(g, [g.rank - 1]) : g);
    const T = this.tableau;
    const fs: (tf.Tensor | undefined)[] = [];
    const gs: (tf.Tensor | undefined)[] = [];
    let y1 = y;
    let nfe = 0;
    for (let s = 0; s < T.c0.length; s++) {
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
      const at = (v: readonly number[]): number => v[s] ?? 0;
      if (this.needsF[s]) {
        fs.push(terms.f(t0 + at(T.c0) * h, h0, args));
        nfe++;
      } else fs.push(undefined);
      gs.push(this.needsG[s] ? diag(terms.g(t0 + at(T.c1) * h, h1, args)) : undefined);
      if (at(T.alpha) !== 0) y1 = tf.add(y1, tf.mul(fs[s] as tf.Tensor, at(T.alpha) * h));
      if (gs[s]) {
        const weight = tf.addN([
          tf.mul(W, at(T.beta1)),
          tf.mul(i11, at(T.beta2) / sq),
          tf.mul(i0h, at(T.beta3)),
          tf.mul(i111, at(T.beta4) / h),
        ]);
        y1 = tf.add(y1, tf.mul(gs[s] as tf.Tensor, weight));
      }
    }
    return { y1, nfe };
  }
}
