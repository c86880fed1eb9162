/**
 * Central finite differences (h = 1e-2, along one random direction per input, float32 losses of
 * O(1): truncation O(h²) ≈ 1e-4 relative, rounding ≈ 1e-7/h = 1e-5) on a small nonlinear problem,
 * for every adjoint. Tolerance 2e-3 relative (1e-2 for the stochastic adjoint, which is consistent
 * with the discrete solve only as dt → 0).
 */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { describeBackends } from '@nde/test-utils';
import { VirtualBrownianTree } from '@nde/brownian';
import { ConstantStepSize, ODETerm, SDETerm, type SolveOptions } from '@nde/solvers';
import {
  BacksolveAdjoint,
  DirectAdjoint,
  RecursiveCheckpointAdjoint,
  ReversibleAdjoint,
  valueAndGrads,
  type AdjointMethod,
} from '../src/index.js';

const H = 1e-2;

function problem(kind: 'ode' | 'sde', solver: string, w: tf.Tensor, b: tf.Tensor, y0: tf.Tensor): SolveOptions<tf.Tensor> {
  const f = (_t: number, y: tf.Tensor): tf.Tensor => tf.tanh(tf.add(tf.matMul(y, w), b));
  if (kind === 'ode')
    return { terms: new ODETerm(f), solver, t0: 0, t1: 1, y0, dt0: 0.02, stepSizeController: new ConstantStepSize(), checkFinite: false };
  const bm = new VirtualBrownianTree({ t0: 0, t1: 1, shape: [3, 2], key: 11, tol: 1e-4 });
  const g = (_t: number, y: tf.Tensor): tf.Tensor => tf.mul(tf.sigmoid(tf.matMul(y, w)), 0.3);
  return {
    terms: new SDETerm({ drift: f, diffusion: g, bm, noise: 'diagonal', sdeType: 'stratonovich' }),
    solver,
    t0: 0,
    t1: 1,
    y0,
    dt0: 0.01,
    checkFinite: false,
  };
}

const loss = (ys: tf.Tensor): tf.Tensor => tf.sum(tf.square(ys));

const cases: [string, 'ode' | 'sde', string, () => AdjointMethod, number][] = [
  ['DirectAdjoint', 'ode', 'rk4', () => new DirectAdjoint(), 2e-3],
  ['RecursiveCheckpointAdjoint', 'ode', 'rk4', () => new RecursiveCheckpointAdjoint({ checkpoints: 3 }), 2e-3],
  ['BacksolveAdjoint', 'ode', 'rk4', () => new BacksolveAdjoint(), 2e-3],
  ['ReversibleAdjoint (ODE)', 'ode', 'reversible_heun', () => new ReversibleAdjoint(), 2e-3],
  ['ReversibleAdjoint (SDE)', 'sde', 'reversible_heun', () => new ReversibleAdjoint(), 2e-3],
  ['stochastic adjoint (SDE, midpoint)', 'sde', 'midpoint', () => new BacksolveAdjoint(), 1e-2],
];

describeBackends('finite differences', () => {
  for (const [name, kind, solver, make, tol] of cases) {
    it(`${name}: directional derivatives w.r.t. W, b and y0 to ${tol}`, async () => {
      const w = tf.variable(
        tf.tensor2d([
          [0.8, -0.6],
          [0.5, 1.1],
        ]),
      );
      const b = tf.variable(tf.tensor1d([0.1, -0.2]));
      const y0 = tf.tensor2d([
        [0.5, -0.3],
        [1.0, 0.2],
        [-0.7, 0.9],
      ]);
      const r = valueAndGrads({ loss, solveOptions: problem(kind, solver, w, b, y0), params: { w, b }, adjoint: make() });
      const evalAt = async (dw: tf.Tensor, db: tf.Tensor, dy: tf.Tensor, s: number): Promise<number> => {
        const w2 = tf.variable(tf.add(w, tf.mul(dw, s)));
        const b2 = tf.variable(tf.add(b, tf.mul(db, s)));
        const y2 = tf.add(y0, tf.mul(dy, s));
        const v = valueAndGrads({
          loss,
          solveOptions: problem(kind, solver, w2, b2, y2),
          params: { w: w2, b: b2 },
          adjoint: make(),
          timeGrads: false,
        });
        const x = (await v.value.data())[0] as number;
        v.dispose();
        [w2, b2, y2].forEach((t) => t.dispose());
        return x;
      };
      for (const which of ['w', 'b', 'y0'] as const) {
        const dw =
          which === 'w'
            ? tf.tensor2d([
                [0.3, -0.7],
                [0.5, 0.4],
              ])
            : tf.zeros([2, 2]);
        const db = which === 'b' ? tf.tensor1d([0.6, -0.8]) : tf.zeros([2]);
        const dy =
          which === 'y0'
            ? tf.tensor2d([
                [0.2, 0.5],
                [-0.6, 0.1],
                [0.3, -0.4],
              ])
            : tf.zeros([3, 2]);
        const fd = ((await evalAt(dw, db, dy, H)) - (await evalAt(dw, db, dy, -H))) / (2 * H);
        const g = which === 'y0' ? r.grads.y0 : (r.grads.params[which] as tf.Tensor);
        const dir = which === 'w' ? dw : which === 'b' ? db : dy;
        const an = (await tf.sum(tf.mul(g, dir)).data())[0] as number;
        const err = Math.abs(an - fd) / Math.max(Math.abs(fd), 1e-3);
        console.log(`[fd] ${name} d/d${which}: adjoint ${an}, fd ${fd}, rel err ${err}`);
        expect(err).toBeLessThan(tol);
        [dw, db, dy].forEach((t) => t.dispose());
      }
      r.dispose();
      [w, b, y0].forEach((t) => t.dispose());
    });
  }
});
