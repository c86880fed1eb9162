/**
 * SDE properties: every SDE method on equations with pathwise closed forms driven by the same
 * Brownian path — geometric Brownian motion (diagonal noise; Itô and Stratonovich) and constant-drift,
 * constant-diffusion equations (additive, scalar and general noise) — with no error, no leak, and a
 * strong error within the method's order bound.
 */
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { num } from './trees.js';
import { VirtualBrownianTree, key } from '@nde/brownian';
import { SDETerm, resolveSolver, solve, type NoiseType, type SdeType } from '@nde/solvers';

/** One random SDE solve. */
export interface SdeCase {
  readonly method: string;
  readonly noise: NoiseType;
  readonly sdeType: SdeType;
  readonly mu: number;
  readonly sigma: number;
  readonly batch: number;
  readonly d: number;
  readonly m: number;
  readonly t0: number;
  readonly t1: number;
  readonly seed: number;
}

/** Which (method, noise, calculus) combinations the methods support, as their docs say. */
const COMBOS: readonly { method: string; noise: NoiseType; sdeType: SdeType }[] = [
  ...(['diagonal', 'scalar', 'additive', 'general'] as const).map((noise) => ({ method: 'euler', noise, sdeType: 'ito' as const })),
  ...(['diagonal', 'scalar', 'additive', 'general'] as const).flatMap((noise) =>
    (['heun', 'midpoint', 'reversible_heun'] as const).map((method) => ({ method, noise, sdeType: 'stratonovich' as const })),
  ),
  ...(['ito', 'stratonovich'] as const).flatMap((sdeType) => [
    { method: 'milstein', noise: 'diagonal' as const, sdeType },
    { method: 'milstein', noise: 'additive' as const, sdeType },
    { method: 'milstein_grad_free', noise: 'diagonal' as const, sdeType },
    { method: 'milstein_grad_free', noise: 'additive' as const, sdeType },
    { method: 'sra1', noise: 'additive' as const, sdeType },
  ]),
  { method: 'srk', noise: 'diagonal', sdeType: 'ito' },
  { method: 'srk', noise: 'additive', sdeType: 'ito' },
];

export const sdeCaseArb: fc.Arbitrary<SdeCase> = fc
  .record({
    combo: fc.constantFrom(...COMBOS),
    mu: num(-1, 0.5),
    sigma: num(0, 0.5),
    batch: fc.integer({ min: 1, max: 4 }),
    d: fc.integer({ min: 1, max: 3 }),
    m: fc.integer({ min: 1, max: 2 }),
    t0: num(-1, 1),
    span: num(0.05, 1),
    backward: fc.boolean(),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  })
  .map((r) => {
    // Backward in time only where it means something pathwise (Stratonovich).
    const backward = r.backward && r.combo.sdeType === 'stratonovich';
    return {
      ...r.combo,
      mu: r.mu,
      sigma: r.sigma,
      batch: r.batch,
      d: r.d,
      m: r.combo.noise === 'scalar' ? 1 : r.m,
      t0: backward ? r.t0 + r.span : r.t0,
      t1: backward ? r.t0 : r.t0 + r.span,
      seed: r.seed,
    };
  });

const DT = 0.005;

function check(cond: boolean, what: string): void {
  if (!cond) throw new Error(what);
}

/** Run one SDE case and check every property. */
export function runSdeCase(c: SdeCase): void {
  const before = tf.memory().numTensors;
  const lo = Math.min(c.t0, c.t1);
  const hi = Math.max(c.t0, c.t1);
  const diag = c.noise === 'diagonal';
  const bmShape = diag ? [c.batch, c.d] : [c.batch, c.m];
  const levyArea = c.method === 'srk' || c.method === 'sra1' ? 'space-time' : 'none';
  const bm = new VirtualBrownianTree({ t0: lo, t1: hi, shape: bmShape, key: key(c.seed), tol: 1e-4, levyArea });
  const y0 = tf.tidy(() => tf.add(tf.mul(tf.randomUniform([c.batch, c.d], 0, 1, 'float32', c.seed % 1000), 1), 0.5));
  // Diagonal: geometric Brownian motion. Otherwise: constant drift μ and constant diffusion G (g_{ij} = σ (1 + i − j/2)).
  const G = diag
    ? undefined
    : tf.tidy(() =>
        tf
          .mul(tf.add(tf.range(0, c.d).reshape([c.d, 1]).add(1), tf.range(0, c.m).reshape([1, c.m]).mul(-0.5)), c.sigma)
          .broadcastTo([c.batch, c.d, c.m]),
      );
  const term = new SDETerm({
    drift: diag ? (_t, y) => tf.mul(y, c.mu) : (_t, y) => tf.fill(y.shape, c.mu),
    diffusion: diag ? (_t, y) => tf.mul(y, c.sigma) : () => G as tf.Tensor,
    bm,
    noise: c.noise,
    sdeType: c.sdeType,
  });
  try {
    const solver = resolveSolver(c.method, 'sde');
    const sol = solve({ terms: term, solver, t0: c.t0, t1: c.t1, y0, dt0: Math.sign(c.t1 - c.t0) * DT });
    try {
      check(sol.status === 'success', `status ${sol.status}`);
      const got = (sol.ys as tf.Tensor).dataSync();
      const W = bm.evaluate(c.t0, c.t1);
      const exact = tf.tidy(() => {
        const h = c.t1 - c.t0;
        if (diag) {
          const ito = c.sdeType === 'ito' ? -0.5 * c.sigma * c.sigma : 0;
          return tf.mul(y0, tf.exp(tf.add(tf.mul(W, c.sigma), (c.mu + ito) * h)));
        }
        return tf.add(tf.add(y0, c.mu * h), tf.sum(tf.mul(G as tf.Tensor, tf.expandDims(W, 1)), -1));
      });
      const want = exact.dataSync();
      const scale = Math.max(...Array.from(want, Math.abs));
      // Strong error: multiplicative noise costs ~σ² √(|T| dt) per unit of state at order ½, ~σ² dt at order 1;
      // additive noise is integrated exactly by every method here.
      const T = Math.abs(c.t1 - c.t0);
      const order = solver.order;
      const disc = diag
        ? 8 * (c.sigma * c.sigma + Math.abs(c.mu) * DT) * (order < 1 ? Math.sqrt(T * DT) : T * DT * 20) + 2 * Math.abs(c.mu) ** 2 * T * DT
        : 0;
      const tol = (disc + 2e-4) * (1 + scale);
      Array.from(got).forEach((v, i) =>
        check(Math.abs(v - (want[i] as number)) <= tol, `y(t1)[${i}] = ${v}, exact ${want[i]} (tol ${tol.toExponential(2)})`),
      );
      tf.dispose([W, exact]);
    } finally {
      sol.dispose();
    }
  } finally {
    tf.dispose([y0, ...(G ? [G] : [])]);
  }
  check(tf.memory().numTensors === before, `leaked ${tf.memory().numTensors - before} tensors`);
}
