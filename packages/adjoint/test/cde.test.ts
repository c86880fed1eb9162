/**
 * Neural CDE terms (issue #18): a linear CDE against its closed form on every kind of path, and the
 * adjoints' gradients against the direct ones (the backsolve evaluates dX/dt backwards in time).
 */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { describeBackends, expectNoLeaks } from '@nde/test-utils';
import {
  ControlTerm,
  PIDController,
  hermiteCubicInterpolation,
  linearInterpolation,
  naturalCubicSpline,
  solve,
  type ControlPath,
} from '@nde/solvers';
import { BacksolveAdjoint, DirectAdjoint, RecursiveCheckpointAdjoint, valueAndGrads, type AdjointMethod } from '../src/index.js';

const TS = [0, 0.4, 0.7, 1.5, 1.6, 2.3, 3];
const read = (x: tf.Tensor): number[] => Array.from(x.dataSync());

/** A data channel per series and the time channel: X = (t, x(t)). */
function series(): tf.Tensor3D {
  return tf.tensor3d(
    [0, 1].flatMap((b) => TS.map((t) => Math.sin(2 * t + b) + 0.3 * t)),
    [2, TS.length, 1],
  );
}

describeBackends('controlled differential equations', () => {
  const makers: [string, (v: tf.Tensor) => ControlPath][] = [
    ['linear', (v) => linearInterpolation(v, TS, { timeChannel: true })],
    ['hermite', (v) => hermiteCubicInterpolation(v, TS, { timeChannel: true })],
    ['natural', (v) => naturalCubicSpline(v, TS, { timeChannel: true })],
  ];
  for (const [name, make] of makers) {
    it(`linear CDE dz_i = z_i (a_i dt + c_i dx) on a ${name} path: z(t) = z0 exp(a (t − t0) + c (X(t) − X(t0)))`, async () => {
      const v = series();
      const a = [0.3, -0.5, 0.1];
      const c = [1.2, 0.4, -0.8];
      await expectNoLeaks(() => {
        const X = make(v);
        const A = tf.tensor3d([a.map((ai, i) => [ai, c[i] as number])], [1, 3, 2]);
        const term = new ControlTerm((_t, z) => tf.mul(tf.expandDims(z, -1), A), X);
        const z0 = tf.tensor2d([
          [1, 2, -1],
          [0.5, -1, 2],
        ]);
        const sol = solve({
          terms: term,
          solver: 'dopri5',
          t0: X.t0,
          t1: X.t1,
          y0: z0,
          stepSizeController: new PIDController({ rtol: 1e-7, atol: 1e-8, jumpTs: X.jumpTs }),
          saveAt: { ts: [1, 3] },
        });
        const x0 = X.evaluate(0);
        const got = read(sol.ys as tf.Tensor);
        [1, 3].forEach((t, k) => {
          const xt = X.evaluate(t);
          const dx = read(xt).map((w, j) => w - (read(x0)[j] as number));
          xt.dispose();
          [0, 1].forEach((b) =>
            [0, 1, 2].forEach((i) => {
              const z0v =
                (read(z0)[3 * b + i] as number) *
                Math.exp((a[i] as number) * (dx[2 * b] as number) + (c[i] as number) * (dx[2 * b + 1] as number));
              expect(got[k * 6 + 3 * b + i]).toBeCloseTo(z0v, 3);
            }),
          );
        });
        tf.dispose([x0, A, z0]);
        sol.dispose();
        X.dispose();
      });
      v.dispose();
    });
  }

  const adjoints: [string, () => AdjointMethod][] = [
    ['backsolve', () => new BacksolveAdjoint()],
    ['checkpoint', () => new RecursiveCheckpointAdjoint({ checkpoints: 3 })],
  ];
  for (const [name, make] of adjoints) {
    it(`${name} adjoint gradients through a CDE equal the direct ones (Hermite path, tanh field)`, async () => {
      const v = series();
      const W = tf.variable(tf.randomNormal([3, 6], 0, 0.5, 'float32', 3));
      const b0 = tf.variable(tf.zeros([6]));
      await expectNoLeaks(() => {
        const X = hermiteCubicInterpolation(v, TS, { timeChannel: true });
        const term = new ControlTerm((_t, z) => tf.reshape(tf.tanh(tf.add(tf.matMul(z, W), b0)), [2, 3, 2]), X);
        const z0 = tf.tensor2d([
          [0.2, -0.1, 0.4],
          [-0.3, 0.5, 0.1],
        ]);
        const grads = (adjoint: AdjointMethod): number[] => {
          const r = valueAndGrads({
            loss: (ys) => tf.sum(tf.square(ys as tf.Tensor)),
            solveOptions: {
              terms: term,
              solver: 'dopri5',
              t0: X.t0,
              t1: X.t1,
              y0: z0,
              stepSizeController: new PIDController({ rtol: 1e-6, atol: 1e-7 }),
            },
            adjoint,
            params: [W, b0],
            timeGrads: false,
          });
          const out = [...read(r.grads.y0 as tf.Tensor), ...r.grads.variables.flatMap((g) => read(g.tensor))];
          r.dispose();
          return out;
        };
        const direct = grads(new DirectAdjoint());
        const other = grads(make());
        const scale = Math.max(...direct.map(Math.abs));
        other.forEach((g, i) => expect(Math.abs(g - (direct[i] as number))).toBeLessThan(2e-3 * scale));
        z0.dispose();
        X.dispose();
      });
      tf.dispose([v, W, b0]);
    });
  }
});
