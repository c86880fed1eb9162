/**
 * Adjoints through the implicit (stiff) solvers: DirectAdjoint differentiates each Kværnø, BDF and
 * Rosenbrock step (BDF through its history, Rosenbrock with W fixed); BacksolveAdjoint solves the augmented adjoint system with the same
 * implicit method (its Jacobian by autodiff of the vector–Jacobian product). Both against the closed
 * form of y′ = λy on a stiff scale (λ = −50 over [0, 0.1]) and a mixed fast/slow linear system.
 */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { describeBackends, expectNoLeaks, thrownError } from '@nde/test-utils';
import { UnsupportedError } from '@nde/core';
import { ODETerm, PIDController } from '@nde/solvers';
import { BacksolveAdjoint, DirectAdjoint, RecursiveCheckpointAdjoint, valueAndGrads, type AdjointMethod } from '../src/index.js';

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

describeBackends('adjoints through implicit solvers', () => {
  for (const [name, make] of [
    ['DirectAdjoint (implicit function theorem per step)', () => new DirectAdjoint()],
    ['BacksolveAdjoint (implicit backward solve)', () => new BacksolveAdjoint()],
  ] as const) {
    it.each(['kvaerno5', 'bdf', 'ros34pw2'])(`${name}: y′ = λy, λ = −50 on [0, 0.1] with %s: dL/dλ and dL/dy0 to 1e-4`, async (method) => {
      await expectNoLeaks(() => {
        const lam = tf.tidy(() => tf.variable(tf.scalar(-50), true));
        const y0 = tf.tensor1d([1, 2]);
        const term = new ODETerm((_t, y: tf.Tensor) => tf.mul(y, lam));
        const adjoint: AdjointMethod = make();
        const r = valueAndGrads({
          loss: (ys) => tf.sum(ys as tf.Tensor),
          solveOptions: {
            terms: term,
            solver: method,
            t0: 0,
            t1: 0.1,
            y0,
            stepSizeController: new PIDController({ rtol: 1e-7, atol: 1e-9 }),
          },
          params: [lam],
          adjoint,
        });
        const e = Math.exp(-5);
        expect(rel((r.grads.params[lam.name] as tf.Tensor).dataSync()[0]!, 3 * 0.1 * e)).toBeLessThan(1e-4);
        for (const v of (r.grads.y0 as tf.Tensor).dataSync()) expect(rel(v, e)).toBeLessThan(1e-4);
        r.dispose();
        y0.dispose();
        lam.dispose();
      });
    });
  }

  // The re-solving BacksolveAdjoint is left out here on purpose: it solves y backwards in time, where
  // the fast mode (e^{−1000t} forwards) grows like e^{1000t} — ill-posed for any method (torchdiffeq's
  // adjoint fails the same way). Reading y from the forward's dense output instead is stable.
  it('a stiff linear system (eigenvalues −1 and −1000): Direct, checkpointed and interpolating backsolve adjoints match the closed form', async () => {
    await expectNoLeaks(() => {
      // y1′ = −1000 (y1 − y2), y2′ = −k y2: y2(T) = y2(0) e^{−kT}, dL/dk for L = y1(T) + y2(T) at T = 1 ≈ −2T y2(0) e^{−kT}.
      const k = tf.tidy(() => tf.variable(tf.scalar(1), true));
      const term = new ODETerm((_t, y: tf.Tensor) => {
        const y1 = tf.slice(y, [0], [1]);
        const y2 = tf.slice(y, [1], [1]);
        return tf.concat([tf.mul(tf.sub(y1, y2), -1000), tf.mul(y2, tf.neg(k))]);
      });
      const y0 = tf.tensor1d([0, 1]);
      const grads: number[] = [];
      for (const adjoint of [
        new DirectAdjoint(),
        new RecursiveCheckpointAdjoint({ checkpoints: 2 }),
        new BacksolveAdjoint({ reconstruct: 'interpolate' }),
      ]) {
        const r = valueAndGrads({
          loss: (ys) => tf.sum(ys as tf.Tensor),
          solveOptions: {
            terms: term,
            solver: 'kvaerno5',
            t0: 0,
            t1: 1,
            y0,
            stepSizeController: new PIDController({ rtol: 1e-7, atol: 1e-9 }),
          },
          params: [k],
          adjoint,
        });
        grads.push((r.grads.params[k.name] as tf.Tensor).dataSync()[0]!);
        r.dispose();
      }
      // Exact: y1 tracks y2 up to O(k/1000): y1(T) = y2(T)·1000/(1000 − k) − … ; dL/dk = −T e^{−kT}(1 + 1000/(1000 − k)) + e^{−kT}·1000/(1000 − k)² (transient negligible).
      const T = 1;
      const a = 1000 / (1000 - 1);
      const exact = -T * Math.exp(-T) * (1 + a) + Math.exp(-T) * (1000 / (1000 - 1) ** 2);
      console.log(
        `[implicit adjoints] dL/dk direct ${grads[0]}, checkpointed ${grads[1]}, interpolating backsolve ${grads[2]}, closed form ${exact}`,
      );
      for (const g of grads) expect(rel(g, exact)).toBeLessThan(1e-3);
      y0.dispose();
      k.dispose();
    });
  });
  it('RecursiveCheckpointAdjoint with bdf (a multistep method) is a named UnsupportedError naming the solver, no leak', async () => {
    await expectNoLeaks(() => {
      const y0 = tf.tensor1d([1]);
      const e = thrownError(() =>
        valueAndGrads({
          loss: (ys) => tf.sum(ys as tf.Tensor),
          solveOptions: { terms: new ODETerm((_t, y: tf.Tensor) => tf.neg(y)), solver: 'bdf', t0: 0, t1: 1, y0 },
          adjoint: new RecursiveCheckpointAdjoint(),
        }),
      );
      expect(e).toBeInstanceOf(UnsupportedError);
      expect((e as UnsupportedError).argument).toBe('solver');
      y0.dispose();
    });
  });
});
