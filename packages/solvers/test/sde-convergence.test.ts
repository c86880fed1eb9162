/**
 * Strong order of convergence of every SDE method, fixed steps, seeded, one Brownian path shared
 * by every step size.
 *
 * GBM dX = μX dt + σX dW (Itô; exact X0·exp((μ − σ²/2)t + σW_t)) and its Stratonovich form
 * dX = μX dt + σX∘dW (exact X0·exp(μt + σW_t)), μ = 0.5, σ = 0.6, X0 = 1, t ∈ [0, 1], batch B.
 * Additive noise: dX = −sin(2X) dt + (1 + t) dW (nonlinear: for linear drift SRA1 shows order 2) against a fine SRA1 solve (2048 steps) on the same path.
 * The strong error is the batch mean of |X_h(1) − X(1)|; the least-squares slope of log(error)
 * against log(h) must be within ±0.15 of the theoretical order. Step counts keep the error well
 * above float32 rounding (state ≈ 1, ~1e-7 per operation, so ≲ 1e-5 after 128 steps): the
 * smallest errors used are ≳ 1e-4.
 */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { convergenceOrder, describeBackends, expectNoLeaks } from '@nde/test-utils';
import { SDETerm, solve, type NoiseType, type SdeType } from '@nde/solvers';
import { makeBrownian } from './helpers/brownian.js';

const MU = 0.5;
const SIGMA = 0.6;
const B = 1000;
const T = 1;

interface Case {
  method: string;
  sdeType: SdeType;
  order: number;
  steps: number[];
  problem?: 'gbm' | 'additive';
}

const CASES: Case[] = [
  { method: 'euler', sdeType: 'ito', order: 0.5, steps: [8, 16, 32, 64, 128] },
  { method: 'milstein', sdeType: 'ito', order: 1, steps: [8, 16, 32, 64, 128] },
  { method: 'milstein', sdeType: 'stratonovich', order: 1, steps: [8, 16, 32, 64, 128] },
  { method: 'milstein_grad_free', sdeType: 'ito', order: 1, steps: [8, 16, 32, 64, 128] },
  { method: 'heun', sdeType: 'stratonovich', order: 1, steps: [8, 16, 32, 64, 128] },
  { method: 'midpoint', sdeType: 'stratonovich', order: 1, steps: [8, 16, 32, 64, 128] },
  { method: 'reversible_heun', sdeType: 'stratonovich', order: 1, steps: [8, 16, 32, 64, 128] },
  { method: 'srk', sdeType: 'ito', order: 1.5, steps: [4, 8, 16, 32] },
  { method: 'sra1', sdeType: 'ito', order: 1.5, steps: [8, 16, 32, 64], problem: 'additive' },
];

function gbmTerm(sdeType: SdeType, bm: SDETerm['bm']): SDETerm {
  return new SDETerm({ drift: (_t, y) => tf.mul(y, MU), diffusion: (_t, y) => tf.mul(y, SIGMA), bm, noise: 'diagonal', sdeType });
}

function additiveTerm(bm: SDETerm['bm']): SDETerm {
  const noise: NoiseType = 'additive';
  return new SDETerm({ drift: (_t, y) => tf.neg(tf.sin(tf.mul(y, 2))), diffusion: (t) => tf.fill([B, 1, 1], 1 + t), bm, noise });
}

function finalState(term: SDETerm, method: string, n: number, y0: tf.Tensor): Float32Array {
  const sol = solve({ terms: term, solver: method, t0: 0, t1: T, y0, dt0: T / n, checkFinite: false });
  expect(sol.stats.accepted).toBe(n);
  const out = (sol.ys as tf.Tensor).dataSync() as Float32Array;
  sol.dispose();
  return out;
}

const meanAbsDiff = (a: Float32Array, b: ArrayLike<number>): number =>
  a.reduce((s, v, i) => s + Math.abs(v - (b[i] as number)), 0) / a.length;

describeBackends('SDE strong order', () => {
  for (const c of CASES) {
    it(`${c.method} (${c.sdeType}, ${c.problem ?? 'gbm'}) has strong order ${c.order}`, async () => {
      await expectNoLeaks(() => {
        const bm = makeBrownian({ t0: 0, t1: T, shape: [B, 1], seed: 1234, levy: c.method === 'srk' || c.method === 'sra1', grid: 2048 });
        const y0 = tf.ones([B, 1]);
        let exact: ArrayLike<number>;
        let term: SDETerm;
        if (c.problem === 'additive') {
          term = additiveTerm(bm);
          exact = finalState(term, 'sra1', 2048, y0);
        } else {
          term = gbmTerm(c.sdeType, bm);
          const w = bm.evaluateArray(0, T);
          const drift = c.sdeType === 'ito' ? MU - SIGMA ** 2 / 2 : MU;
          exact = Array.from(w, (wi) => Math.exp(drift * T + SIGMA * wi));
        }
        const errs = c.steps.map((n) => meanAbsDiff(finalState(term, c.method, n, y0), exact));
        const slope = convergenceOrder(
          c.steps.map((n) => T / n),
          errs,
        );
        console.log(`${c.method} ${c.sdeType}: errors ${errs.map((e) => e.toExponential(2)).join(', ')}; slope ${slope.toFixed(3)}`);
        y0.dispose();
        expect(Math.abs(slope - c.order)).toBeLessThan(0.15);
      });
    });
  }
});
