/**
 * dy/dt = A y (rows of a batch), L = Σ w ⊙ y(t1): gradients w.r.t. A, y0 and t1 against the analytic
 * ones (float64 expm and its Fréchet derivative). Target 1e-4 relative: dopri5 at rtol 1e-7 (and the
 * backsolve at the same tolerance) is accurate to ~1e-6, float32 rounding of O(10) sums ~1e-6.
 */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { describeBackends, expectNoLeaks } from '@nde/test-utils';
import { ODETerm, PIDController, type SolveOptions } from '@nde/solvers';
import { BacksolveAdjoint, DirectAdjoint, RecursiveCheckpointAdjoint, valueAndGrads, type AdjointMethod } from '../src/index.js';
import { expm, expmFrechet, matmul, relErr, transpose, type Mat } from './helpers/linalg.js';

const A: Mat = [
  [-0.5, 1.2],
  [-0.9, -0.2],
];
const Y0: Mat = [
  [1, 0.5],
  [-0.3, 0.8],
  [0.2, -1],
];
const W: Mat = [
  [1, -2],
  [0.5, 1],
  [1.5, 0.3],
];
const T1 = 1.3;

function analytic(): { dA: number[]; dy0: number[]; dt1: number } {
  const E = expm(A.map((r) => r.map((v) => v * T1)));
  // y_b(t1) = E y0_b  →  dL/dy0_b = Eᵀ w_b
  const dy0 = Y0.map((_, b) =>
    matmul(
      transpose(E),
      [[...(W[b] as number[])]].map((r) => r).flatMap((r) => r.map((v) => [v])),
    ).map((r) => r[0] as number),
  ).flat();
  const dA: number[] = [];
  for (let i = 0; i < 2; i++) {
    for (let j = 0; j < 2; j++) {
      const Eij: Mat = [
        [0, 0],
        [0, 0],
      ];
      (Eij[i] as number[])[j] = T1;
      const L = expmFrechet(
        A.map((r) => r.map((v) => v * T1)),
        Eij,
      );
      let s = 0;
      Y0.forEach((y, b) => {
        const ly = matmul(
          L,
          y.map((v) => [v]),
        );
        s += (W[b] as number[]).reduce((acc, wv, k) => acc + wv * ((ly[k] as number[])[0] as number), 0);
      });
      dA.push(s);
    }
  }
  let dt1 = 0;
  const AE = matmul(A, E);
  Y0.forEach((y, b) => {
    const v = matmul(
      AE,
      y.map((x) => [x]),
    );
    dt1 += (W[b] as number[]).reduce((acc, wv, k) => acc + wv * ((v[k] as number[])[0] as number), 0);
  });
  return { dA, dy0, dt1 };
}

const adjoints: [string, () => AdjointMethod][] = [
  ['DirectAdjoint', () => new DirectAdjoint()],
  ['RecursiveCheckpointAdjoint', () => new RecursiveCheckpointAdjoint({ checkpoints: 4 })],
  ['BacksolveAdjoint', () => new BacksolveAdjoint()],
];

describeBackends('linear ODE gradients vs analytic', () => {
  const ref = analytic();
  for (const [name, make] of adjoints) {
    it(`${name}: dL/dA, dL/dy0, dL/dt1 to 1e-4 relative`, async () => {
      const a = tf.variable(tf.tensor2d(A), true);
      const y0 = tf.tensor2d(Y0);
      const w = tf.tensor2d(W);
      await expectNoLeaks(async () => {
        const solveOptions: SolveOptions<tf.Tensor> = {
          terms: new ODETerm((_t, y: tf.Tensor) => tf.matMul(y, a, false, true)),
          solver: 'dopri5',
          t0: 0,
          t1: T1,
          y0,
          stepSizeController: new PIDController({ rtol: 1e-7, atol: 1e-9 }),
        };
        const r = valueAndGrads({ loss: (ys) => tf.sum(tf.mul(ys, w)), solveOptions, params: [a], adjoint: make() });
        const dA = Array.from(await (r.grads.params[a.name] as tf.Tensor).data());
        const dy0 = Array.from(await r.grads.y0.data());
        const dt1 = (await (r.grads.t1 as tf.Scalar).data())[0] as number;
        const errs = { A: relErr(dA, ref.dA), y0: relErr(dy0, ref.dy0), t1: Math.abs(dt1 - ref.dt1) / Math.abs(ref.dt1) };
        console.log(`[linear] ${name} rel err`, errs);
        expect(errs.A).toBeLessThan(1e-4);
        expect(errs.y0).toBeLessThan(1e-4);
        expect(errs.t1).toBeLessThan(1e-4);
        r.dispose();
      });
      a.dispose();
      y0.dispose();
      w.dispose();
    });
  }
});
