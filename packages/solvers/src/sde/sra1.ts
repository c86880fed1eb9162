/**
 * Stochastic Runge–Kutta methods for additive noise in Rößler's SRA form, driven by a tableau
 * (`tableaus/sra.ts`): SRA1 (Rößler 2010, SIAM J. Numer. Anal. 48(3); torchsde's `sra1.py`,
 * diffrax's `SRA1`) by default, strong order 1.5 with the space-time Lévy area. A tableau with
 * `alphaError` gives an embedded error estimate (SRA1's is ⅔ (f1 − f0) h, diffrax's `b_error`), so
 * the method runs adaptively too. Additive noise means Itô = Stratonovich.
 */
import * as tf from '@tensorflow/tfjs';
import { SRA1_TABLEAU, type SraTableau } from './tableaus/sra.js';
import { StatelessSdeSolver, increment, type SdeIncrement, type SdeSupport } from './support.js';
import type { SDETerm } from './terms.js';

/** Σ_j w_j·scale·x_j over the nonzero weights, added to `base` when given; undefined when there is nothing to add up. */
function weighted(weights: readonly number[], xs: readonly (() => tf.Tensor)[], scale: number, base?: tf.Tensor): tf.Tensor | undefined {
  let out = base;
  weights.forEach((w, j) => {
    if (w === 0) return;
    const term = tf.mul((xs[j] as () => tf.Tensor)(), w * scale);
    out = out ? tf.add(out, term) : term;
  });
  return out;
}

/** A value computed on first use. */
function once<T>(make: () => T): () => T {
  let v: T | undefined;
  let made = false;
  return () => {
    if (!made) {
      v = make();
      made = true;
    }
    return v as T;
  };
}

/**
 * One step of an SRA tableau (used by {@link SRA1} and by {@link SRK} for additive noise). Tensors are new.
 *
 * @param tableau - the SRA tableau
 * @param terms - the additive-noise SDE
 * @param t0 - start of the step
 * @param t1 - its end
 * @param y - the state at t0
 * @param args - passed to drift and diffusion
 * @example
 * ```ts
 * const { y1, yError, nfe } = sraStep(SRA1_TABLEAU, terms, 0, 0.1, y0, undefined);
 * ```
 *
 * @internal
 */
export function sraStep(
  tableau: SraTableau,
  terms: SDETerm,
  t0: number,
  t1: number,
  y: tf.Tensor,
  args: unknown,
): { y1: tf.Tensor; yError?: tf.Tensor; nfe: number } {
  const T = tableau;
  const h = t1 - t0;
  const { W, H } = increment(terms, t0, t1, true);
  const i0h = tf.add(H as tf.Tensor, tf.mul(W, 0.5)); // I₀ / h
  const stages = T.c0.length;
  // g at each c1 time (additive noise: any state will do), and g·I₀/h, each made once and only if used.
  const gs = T.c1.map((c) => once(() => terms.g(t0 + c * h, y, args)));
  const gI0 = gs.map((g) => once(() => terms.prod(g(), i0h)));
  const fs: (() => tf.Tensor)[] = [];
  for (let s = 0; s < stages; s++) {
    const stage = weighted(T.b0[s] ?? [], gI0, 1, weighted(T.a0[s] ?? [], fs, h, y)) as tf.Tensor;
    const f = terms.f(t0 + (T.c0[s] as number) * h, stage, args);
    fs.push(() => f);
  }
  // Σ_s g_s (beta1 ΔW + beta2 I₀/h), one product per stage.
  const noise = T.c1.map((_, s) => () => {
    const b1 = T.beta1[s] as number;
    const b2 = T.beta2[s] as number;
    if (b1 === 0) return (gI0[s] as () => tf.Tensor)();
    return terms.prod((gs[s] as () => tf.Tensor)(), b2 === 0 ? W : tf.add(W, tf.mul(i0h, b2 / b1)));
  });
  const noiseWeights = T.c1.map((_, s) => ((T.beta1[s] as number) !== 0 ? (T.beta1[s] as number) : (T.beta2[s] as number)));
  const y1 = weighted(noiseWeights, noise, 1, weighted(T.alpha, fs, h, y)) as tf.Tensor;
  const yError = T.alphaError ? weighted(T.alphaError, fs, h) : undefined;
  return { y1, ...(yError ? { yError } : {}), nfe: stages };
}

/**
 * A stochastic Runge–Kutta method for additive-noise SDEs from an SRA tableau: SRA1 by default
 * (strong order 1.5); needs a Brownian motion with `levyArea: 'space-time'`.
 *
 * @example
 * ```ts
 * const bm = new VirtualBrownianTree({ t0: 0, t1: 1, shape: [256, 1], key: key(1), levyArea: 'space-time' });
 * solve({ terms: new SDETerm({ drift, diffusion, bm, noise: 'additive' }), solver: 'sra1', t0: 0, t1: 1, y0, dt0: 0.05 });
 * // another tableau (e.g. torchsde's SRA2), in a few lines:
 * const sra2 = new SRA1({ name: 'sra2', tableau: { c0: [0, 3 / 4], c1: [1 / 3, 1], a0: [[], [3 / 4]], b0: [[], [3 / 2]], alpha: [1 / 3, 2 / 3], beta1: [0, 1], beta2: [-3 / 2, 3 / 2] } });
 * ```
 */
export class SRA1 extends StatelessSdeSolver {
  readonly name: string;
  readonly order = 1.5;
  /** The drift difference is O(h^1.5) per step for additive noise; undefined for a tableau without `alphaError`. */
  readonly errorOrder: number | undefined;
  /** The tableau driving the steps. */
  readonly tableau: SraTableau;
  /** Additive noise only (Itô and Stratonovich agree there); needs the space-time Lévy area. */
  readonly support: SdeSupport = {
    sdeTypes: ['ito', 'stratonovich'],
    noises: ['additive'],
    spaceTimeLevy: true,
    otherwise: "'srk' (diagonal/scalar noise), 'milstein' or 'heun'",
  };

  /** @param options - the tableau (default SRA1) and the method's name (default `'sra1'`) */
  constructor(options: { readonly tableau?: SraTableau; readonly name?: string } = {}) {
    super();
    this.tableau = options.tableau ?? SRA1_TABLEAU;
    this.name = options.name ?? 'sra1';
    this.errorOrder = this.tableau.alphaError ? 1 : undefined;
  }

  protected advance(terms: SDETerm, t0: number, t1: number, y: tf.Tensor, args: unknown): SdeIncrement {
    return sraStep(this.tableau, terms, t0, t1, y, args);
  }
}
