/**
 * The on-device linear algebra of the stiff solvers: the batched LU with partial pivoting
 * (`DeviceLU`) against the host's float64 `BlockLU`, and ROS34PW2 with `linearAlgebra: 'device'`
 * (Jacobian, LU and stages in tensor ops) against the host path — same problems, same accuracy,
 * gradients, and no host read inside a step. On WebGPU (lavapipe in CI) through `solveAsync`.
 */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { describeBackends, describeWebGpu, expectNoLeaks, thrownError } from '@nde/test-utils';
import { UnsupportedError } from '@nde/core';
import {
  DeviceLU,
  ESDIRK_TABLEAUS,
  IMEX_TABLEAUS,
  ImplicitRK,
  MultiTerm,
  ODETerm,
  PIDController,
  Rosenbrock,
  solve,
  solveAsync,
} from '@nde/solvers';
import { BlockLU } from '../src/implicit/lu.js';
import { robertson, stiffReference, vanDerPolBatch } from './helpers/stiff.js';

/** Seeded uniform numbers in [−1, 1) (a linear congruential generator: the test needs no quality). */
function seeded(seed: number, count: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: count }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  });
}

/** B random n×n matrices, the first with a zero leading entry (so pivoting is needed), and right-hand sides. */
function systems(B: number, n: number): { A: number[]; b: number[] } {
  const A = seeded(7, B * n * n);
  A[0] = 0;
  return { A, b: seeded(11, B * n) };
}

const relErr = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs((a[i] as number) - (b[i] as number)));
    den = Math.max(den, Math.abs(b[i] as number));
  }
  return num / den;
};

const relFinal = (got: ArrayLike<number>, want: readonly number[]): number =>
  Math.max(...want.map((w, i) => Math.abs((got[i] as number) - w) / Math.max(Math.abs(w), 1e-12)));

describeBackends('on-device linear algebra', () => {
  it('DeviceLU solves 6 random 5×5 systems (one needs pivoting) like the float64 host LU, to 1e-5; no leaks', async () => {
    await expectNoLeaks(() => {
      const B = 6;
      const n = 5;
      const { A, b } = systems(B, n);
      const host = BlockLU.factor(Float64Array.from(A), n, B);
      const want = host!.solve(Float64Array.from(b));
      const At = tf.tensor3d(A, [B, n, n]);
      const bt = tf.tensor2d(b, [B, n]);
      const lu = DeviceLU.factor(At);
      const x = lu.solve(bt);
      const err = relErr(x.dataSync(), want);
      console.log(`[device LU] relative difference from host LU ${err.toExponential(2)}`);
      expect(err).toBeLessThan(1e-5);
      tf.dispose([At, bt, x]);
      lu.dispose();
    });
  });

  it("ROS34PW2 with linearAlgebra: 'device' on Robertson: within 1e-3 of scipy Radau, steps within 10% of the host path", async () => {
    await expectNoLeaks(() => {
      const ref = stiffReference().problems.robertson!;
      const run = (linearAlgebra: 'host' | 'device') => {
        const y0 = tf.tensor1d(ref.y0);
        const sol = solve({
          terms: robertson,
          solver: new Rosenbrock(undefined, { linearAlgebra }),
          t0: 0,
          t1: 1e5,
          y0,
          stepSizeController: new PIDController({ rtol: 1e-6, atol: 1e-10 }),
          maxSteps: 20000,
        });
        const out = { y: Array.from((sol.ys as tf.Tensor).dataSync()), steps: sol.stats.accepted, nfe: sol.stats.nfe };
        sol.dispose();
        y0.dispose();
        return out;
      };
      const host = run('host');
      const device = run('device');
      console.log(
        `[device ros34pw2] robertson: device ${device.steps} steps, host ${host.steps}; error ${relFinal(device.y, ref.reference.final_state).toExponential(2)}`,
      );
      expect(relFinal(device.y, ref.reference.final_state)).toBeLessThan(1e-3);
      expect(Math.abs(device.steps - host.steps) / host.steps).toBeLessThan(0.1);
    });
  });

  it('device ROS34PW2, blockDiagonal batch of Van der Pol (μ = 5, 50, 500): reads nothing back inside a step', async () => {
    await expectNoLeaks(() => {
      const mus = tf.tensor2d([[5], [50], [500]]);
      const term = vanDerPolBatch(mus);
      const solver = new Rosenbrock(undefined, { linearAlgebra: 'device', jacobian: { structure: 'blockDiagonal' } });
      const y0 = tf.tensor2d([
        [2, 0],
        [2, 0],
        [2, 0],
      ]);
      const state = solver.init(term, 0, y0, undefined);
      const proto = tf.Tensor.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
      const reads = { count: 0 };
      const originals = ['dataSync', 'data', 'arraySync', 'array'].map((name) => {
        const original = proto[name] as (...a: unknown[]) => unknown;
        proto[name] = function (this: unknown, ...a: unknown[]) {
          reads.count++;
          return original.apply(this, a);
        };
        return { name, original };
      });
      let r;
      try {
        r = solver.step(term, 0, 0.01, y0, undefined, state, { madeJump: false, needsDense: true });
      } finally {
        originals.forEach(({ name, original }) => (proto[name] = original));
      }
      expect(reads.count).toBe(0);
      tf.dispose([r.y1 as tf.Tensor, r.yError as tf.Tensor, ...(r.interp?.vectors as tf.Tensor[]), y0, mus]);
    });
  });

  it("DeviceLU.solveTransposed solves Aᵀx = b like the host LU's transposed solve, to 1e-5", async () => {
    await expectNoLeaks(() => {
      const { A, b } = systems(4, 5);
      const want = BlockLU.factor(Float64Array.from(A), 5, 4)!.solveTransposed(Float64Array.from(b));
      const At = tf.tensor3d(A, [4, 5, 5]);
      const bt = tf.tensor2d(b, [4, 5]);
      const lu = DeviceLU.factor(At);
      const x = lu.solveTransposed(bt);
      expect(relErr(x.dataSync(), want)).toBeLessThan(1e-5);
      tf.dispose([At, bt, x]);
      lu.dispose();
    });
  });

  it.each(['kvaerno5', 'kencarp4'])(
    "%s with linearAlgebra: 'device' (Newton on the device) on Robertson at rtol 1e-5: within 1e-3 of Radau, at most 1.75× the host path's steps (float32 error-estimate floor)",
    async (method) => {
      await expectNoLeaks(() => {
        const ref = stiffReference().problems.robertson!;
        const tableau = method === 'kvaerno5' ? ESDIRK_TABLEAUS.kvaerno5 : IMEX_TABLEAUS.kencarp4;
        // IMEX: the whole field implicit, a zero explicit part.
        const terms = method === 'kencarp4' ? new MultiTerm(new ODETerm((_t, y: tf.Tensor) => tf.zerosLike(y)), robertson) : robertson;
        const run = (linearAlgebra: 'host' | 'device') => {
          const y0 = tf.tensor1d(ref.y0);
          const sol = solve({
            terms,
            solver: new ImplicitRK(tableau, { linearAlgebra }),
            t0: 0,
            t1: 1e5,
            y0,
            stepSizeController: new PIDController({ rtol: 1e-5, atol: 1e-9 }),
            maxSteps: 20000,
          });
          const out = { y: Array.from((sol.ys as tf.Tensor).dataSync()), steps: sol.stats.accepted, rejected: sol.stats.rejected };
          sol.dispose();
          y0.dispose();
          return out;
        };
        const host = run('host');
        const device = run('device');
        const err = relFinal(device.y, ref.reference.final_state);
        console.log(
          `[device ${method}] robertson: device ${device.steps}+${device.rejected} steps, host ${host.steps}+${host.rejected}; error ${err.toExponential(2)}`,
        );
        expect(err).toBeLessThan(1e-3);
        expect(device.steps + device.rejected).toBeLessThanOrEqual(1.75 * (host.steps + host.rejected));
      });
    },
  );

  it('device kvaerno5 gradients (implicit function theorem per stage, on the device) equal the closed form of y′ = λy', async () => {
    await expectNoLeaks(() => {
      const lam = tf.tidy(() => tf.variable(tf.scalar(-3), true));
      const y0 = tf.tensor1d([1, 2]);
      const term = new ODETerm((_t, y: tf.Tensor) => tf.mul(y, lam));
      const run = (y: tf.Tensor): tf.Scalar =>
        tf.sum(
          solve({
            terms: term,
            solver: new ImplicitRK(ESDIRK_TABLEAUS.kvaerno5, { linearAlgebra: 'device' }),
            t0: 0,
            t1: 1,
            y0: y,
            stepSizeController: new PIDController({ rtol: 1e-7, atol: 1e-9 }),
          }).ys as tf.Tensor,
        ) as tf.Scalar;
      const { value, grads } = tf.variableGrads(() => run(y0), [lam]);
      const [gy0] = tf.grads((y: tf.Tensor) => run(y))([y0]);
      const exact = 3 * Math.exp(-3);
      console.log(`[device kvaerno5] dL/dλ ${grads[lam.name]!.dataSync()[0]} (exact ${exact}); dL/dy0 ${Array.from(gy0!.dataSync())}`);
      expect(Math.abs(grads[lam.name]!.dataSync()[0]! - exact) / exact).toBeLessThan(1e-4);
      for (const g of gy0!.dataSync()) expect(Math.abs(g - Math.exp(-3)) / Math.exp(-3)).toBeLessThan(1e-4);
      tf.dispose([value, ...Object.values(grads), gy0!, y0, lam]);
    });
  });

  it('device ROS34PW2 gradients (through the tape, W fixed) equal the closed form of y′ = λy and the host path', async () => {
    await expectNoLeaks(() => {
      const grad = (linearAlgebra: 'host' | 'device'): number[] => {
        const lam = tf.tidy(() => tf.variable(tf.scalar(-3), true));
        const y0 = tf.tensor1d([1, 2]);
        const term = new ODETerm((_t, y: tf.Tensor) => tf.mul(y, lam));
        const { value, grads } = tf.variableGrads(
          () =>
            tf.sum(
              solve({
                terms: term,
                solver: new Rosenbrock(undefined, { linearAlgebra }),
                t0: 0,
                t1: 1,
                y0,
                stepSizeController: new PIDController({ rtol: 1e-5, atol: 1e-7 }),
              }).ys as tf.Tensor,
            ) as tf.Scalar,
          [lam],
        );
        const out = [value.dataSync()[0]!, grads[lam.name]!.dataSync()[0]!];
        tf.dispose([value, ...Object.values(grads), y0, lam]);
        return out;
      };
      let t = performance.now();
      const device = grad('device');
      const tDevice = performance.now() - t;
      t = performance.now();
      const host = grad('host');
      console.log(
        `[device ros34pw2] gradient solve ${tDevice.toFixed(0)} ms on the device path, ${(performance.now() - t).toFixed(0)} ms on the host path`,
      );
      const exact = 3 * Math.exp(-3);
      console.log(`[device ros34pw2] dL/dλ device ${device[1]}, host ${host[1]}, exact ${exact}`);
      expect(Math.abs(device[1]! - exact) / exact).toBeLessThan(1e-4);
      expect(Math.abs(device[1]! - host[1]!) / exact).toBeLessThan(1e-5);
    });
  });
});

await describeWebGpu('stiff solvers on the device', () => {
  it('DeviceLU on WebGPU matches the host LU to 1e-5', async () => {
    const B = 6;
    const n = 5;
    const { A, b } = systems(B, n);
    const want = BlockLU.factor(Float64Array.from(A), n, B)!.solve(Float64Array.from(b));
    const before = tf.memory().numTensors;
    const At = tf.tensor3d(A, [B, n, n]);
    const bt = tf.tensor2d(b, [B, n]);
    const lu = DeviceLU.factor(At);
    const x = lu.solve(bt);
    expect(relErr(await x.data(), want)).toBeLessThan(1e-5);
    tf.dispose([At, bt, x]);
    lu.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each([
    ['ros34pw2', 1e-5, 1e-9],
    ['kvaerno5', 1e-5, 1e-9],
  ] as const)(
    '%s (on the device by default on webgpu) solves Robertson on [0, 40] through solveAsync within 1e-3 of scipy Radau',
    async (method, rtol, atol) => {
      const ref = stiffReference().problems.robertson!;
      const before = tf.memory().numTensors;
      const y0 = tf.tensor1d(ref.y0);
      const sol = await solveAsync({
        terms: robertson,
        solver: method,
        t0: 0,
        t1: 40,
        y0,
        stepSizeController: new PIDController({ rtol, atol }),
        maxSteps: 20000,
      });
      const got = await (sol.ys as tf.Tensor).data();
      console.log(
        `[webgpu ${method}] robertson: ${sol.stats.accepted}+${sol.stats.rejected} steps, error ${relFinal(got, ref.extra_final_states!.t_40!.final_state).toExponential(2)}`,
      );
      expect(sol.status).toBe('success');
      expect(relFinal(got, ref.extra_final_states!.t_40!.final_state)).toBeLessThan(1e-3);
      // One read per attempted step (its error ratio) plus 3 at the start: none inside the steps.
      expect(sol.stats.hostReads).toBe(sol.stats.steps + 3);
      sol.dispose();
      y0.dispose();
      expect(tf.memory().numTensors).toBe(before);
    },
  );

  it('bdf (Newton on the host) on webgpu is a named UnsupportedError pointing to the device methods', () => {
    const y0 = tf.tensor1d([1, 0, 0]);
    const e = thrownError(() => solve({ terms: robertson, solver: 'bdf', t0: 0, t1: 1, y0 }));
    expect(e).toBeInstanceOf(UnsupportedError);
    expect(e.message).toContain('kvaerno');
    y0.dispose();
  });
});
